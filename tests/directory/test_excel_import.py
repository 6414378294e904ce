"""Batch import of members from the Excel template (PRODUCT §3): template, preview, commit, file errors."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import openpyxl
import pytest

from support.factories import ACTOR, DirectoryFactory, FastHasher, RecordingMailStorage, Tenant
from yunmail.clock import FakeClock
from yunmail.config import Settings
from yunmail.directory import (
    DepartmentNode,
    Directory,
    ImportLimits,
    ImportRow,
    RowError,
    SupersededRow,
    template_xlsx,
)
from yunmail.directory.excel_template import COLUMNS, DATA_SHEET, INSTRUCTIONS_SHEET
from yunmail.errors import (
    EnterpriseNotFound,
    ImportFileEmpty,
    ImportFileInvalid,
    ImportFileTooLarge,
    ImportHeaderInvalid,
    ImportTooManyRows,
    PhoneInvalid,
)
from yunmail.storage import Database

PASSWORD = "Welcome-2026"
FIXTURES = Path(__file__).parent / "fixtures"


def row(n: int, **fields: object) -> dict[str, object]:
    """A valid row for member ``n``; keyword arguments override columns by key."""
    values: dict[str, object] = {
        "name": f"成员{n}",
        "account": f"user{n}",
        "password": PASSWORD,
        "phone": f"138{n:08d}",
    }
    values.update(fields)
    return values


def workbook(rows: Iterable[Mapping[str, object]], *, header: Sequence[str] | None = None) -> bytes:
    """The downloadable template with ``rows`` filled in (cells by column key)."""
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = wb[DATA_SHEET]
    if header is not None:
        sheet.delete_rows(1)
        sheet.insert_rows(1)
        for index, label in enumerate(header, start=1):
            sheet.cell(row=1, column=index, value=label)
    keys = [c.key for c in COLUMNS]
    for values in rows:
        sheet.append([values.get(key) for key in keys])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def errors_of(errors: Iterable[RowError]) -> set[tuple[int, str | None, str]]:
    return {(e.row, e.column, e.code) for e in errors}


def paths(nodes: Iterable[DepartmentNode], prefix: str = "") -> list[str]:
    found: list[str] = []
    for node in nodes:
        path = f"{prefix}{node.department.name}"
        found += [path, *paths(node.children, path + "/")]
    return found


async def counts(directory: Directory, enterprise_id: int) -> tuple[int, int, int, int]:
    """(members, departments, mailboxes, audit entries) of the enterprise."""
    members = (await directory.members.search(enterprise_id)).total
    departments = len(paths(await directory.departments.tree(enterprise_id)))
    mailboxes = len(await directory.mailboxes.list_mailboxes(enterprise_id))
    audit = len(await directory.audit_log(enterprise_id, limit=1000))
    return members, departments, mailboxes, audit


# --- template ----------------------------------------------------------------------------------------


def test_template_header_names_every_column_in_chinese_and_english() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    header = [cell.value for cell in wb[DATA_SHEET][1]]
    assert header == [
        "*姓名 / Name",
        "*账号 / Account",
        "密码 / Password",
        "手机号 / Phone",
        "联系邮箱 / E-mail",
        "角色 / Role",
        "部门路径 / Department path",
        "员工类型 / Staff type",
        "入职日期 / Hire date",
        "企业邮箱 / Enterprise mailbox",
    ]


def test_template_has_an_instructions_sheet_after_the_member_sheet() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert wb.sheetnames == [DATA_SHEET, INSTRUCTIONS_SHEET]


async def test_untouched_template_is_refused_as_empty(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(ImportFileEmpty):
        await directory.imports.preview(tenant.enterprise.id, template_xlsx(), "template.xlsx")


# --- preview and commit of a large file ----------------------------------------------------------


def two_hundred_rows_with_five_bad_ones() -> list[dict[str, object]]:
    rows = [row(n) for n in range(1, 201)]
    rows[9]["account"] = "bad account!"  # spreadsheet row 11
    rows[29]["phone"] = "12345"  # row 31
    rows[49]["password"] = "short"  # row 51
    rows[99]["hire_date"] = "2025/13/45"  # row 101
    rows[149]["mailbox"] = "user150@not-ours.example"  # row 151
    return rows


FIVE_BAD = {
    (11, "account", "ACCOUNT_INVALID"),
    (31, "phone", "PHONE_INVALID"),
    (51, "password", "PASSWORD_TOO_SHORT"),
    (101, "hire_date", "HIRE_DATE_INVALID"),
    (151, "mailbox", "MAILBOX_DOMAIN_UNKNOWN"),
}


async def test_preview_of_200_rows_lists_exactly_the_five_bad_rows(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook(two_hundred_rows_with_five_bad_ones())
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert (errors_of(preview.errors), len(preview.valid), preview.total_rows) == (FIVE_BAD, 195, 200)


async def test_commit_of_200_rows_adds_the_195_good_ones_and_reports_the_five_bad(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook(two_hundred_rows_with_five_bad_ones())
    result = await directory.imports.commit(tenant.enterprise.id, data, "members.xlsx", ACTOR)
    stored = await directory.members.search(tenant.enterprise.id, limit=500)
    assert (len(result.added), errors_of(result.errors), stored.total) == (195, FIVE_BAD, 195)


async def test_preview_writes_nothing(directory: Directory, tenant: Tenant) -> None:
    before = await counts(directory, tenant.enterprise.id)
    data = workbook([row(1, department="研发部", mailbox=f"a@{tenant.domain.name}")])
    await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert await counts(directory, tenant.enterprise.id) == before


async def test_every_problem_of_a_row_is_reported(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1, phone="12", email="not-an-address", staff_type="boss")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert errors_of(preview.errors) == {
        (2, "phone", "PHONE_INVALID"),
        (2, "email", "CONTACT_EMAIL_INVALID"),
        (2, "staff_type", "STAFF_TYPE_INVALID"),
    }


async def test_row_error_carries_the_catalogue_message_in_english_and_chinese(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook([row(1, phone="12")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert preview.errors == (
        RowError(2, "phone", "PHONE_INVALID", PhoneInvalid().text("en"), PhoneInvalid().text("zh"), "user1"),
    )


async def test_row_without_phone_or_email_needs_a_contact(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1, phone=None)])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert errors_of(preview.errors) == {(2, "phone", "CONTACT_REQUIRED")}


async def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook([row(1), {}, {}, row(2, phone="12")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert (preview.total_rows, preview.error_rows) == (2, (5,))


async def test_preview_shows_rows_as_they_will_be_stored(directory: Directory, tenant: Tenant) -> None:
    data = workbook(
        [
            row(
                1,
                phone="+86 138-0000-0001",
                email="li@contact.example",
                role="管理员",
                staff_type="实习",
                hire_date="2025/07/01",
                department=f"{tenant.enterprise.name}/研发部/一组",
                mailbox=f"Li.Lei@{tenant.domain.name.upper()}",
            )
        ]
    )
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert preview.valid == (
        ImportRow(
            row=2,
            name="成员1",
            account="user1",
            phone="13800000001",
            contact_email="li@contact.example",
            role="administrator",
            staff_type="intern",
            hire_date=dt.date(2025, 7, 1),
            department="研发部/一组",
            mailbox=f"li.lei@{tenant.domain.name}",
            has_password=True,
        ),
    )


# --- repeated and existing accounts, phones, addresses -------------------------------------------


async def test_repeated_account_last_row_wins(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1, account="dup", name="First"), row(2), row(3, account="dup", name="Last")])
    await directory.imports.commit(tenant.enterprise.id, data, "members.xlsx", ACTOR)
    member = await directory.members.get_by_account(tenant.enterprise.id, "dup")
    assert member.name == "Last"


async def test_earlier_rows_of_a_repeated_account_are_superseded_not_errors(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook([row(1, account="dup", phone="12"), row(2), row(3, account="DUP")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert (preview.superseded, preview.errors, len(preview.valid)) == ((SupersededRow(2, "dup", 4),), (), 2)


async def test_existing_account_is_a_row_error_and_the_member_is_not_updated(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant
) -> None:
    existing = await factory.member(tenant.enterprise.id, account="taken", name="Original")
    data = workbook([row(1, account="Taken", name="Changed")])
    result = await directory.imports.commit(tenant.enterprise.id, data, "members.xlsx", ACTOR)
    assert (
        errors_of(result.errors),
        (await directory.members.get(tenant.enterprise.id, existing.id)).name,
    ) == (
        {(2, "account", "ACCOUNT_TAKEN")},
        "Original",
    )


async def test_phone_repeated_in_the_file_is_an_error_on_the_later_row(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook([row(1, phone="13800000009"), row(2, phone="+86 13800000009")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert (errors_of(preview.errors), preview.errors[0].message_en) == (
        {(3, "phone", "IMPORT_PHONE_REPEATED")},
        "The phone number is also used on row 2 of the file",
    )


async def test_phone_of_an_existing_member_is_a_row_error(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant
) -> None:
    await factory.member(tenant.enterprise.id, phone="13900000000")
    data = workbook([row(1, phone="13900000000")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert errors_of(preview.errors) == {(2, "phone", "PHONE_TAKEN")}


# --- departments -------------------------------------------------------------------------------------


async def test_department_paths_are_created_once_and_shared(directory: Directory, tenant: Tenant) -> None:
    data = workbook(
        [
            row(1, department="研发部/一组"),
            row(2, department="研发部/二组"),
            row(3, department=f"{tenant.enterprise.name}/研发部/一组"),
            row(4, department="市场部"),
        ]
    )
    result = await directory.imports.commit(tenant.enterprise.id, data, "members.xlsx", ACTOR)
    tree = paths(await directory.departments.tree(tenant.enterprise.id))
    assert (sorted(tree), result.departments_created) == (
        ["市场部", "研发部", "研发部/一组", "研发部/二组"],
        4,
    )


async def test_member_is_placed_in_the_department_of_its_path(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1, department="研发部/一组")])
    result = await directory.imports.commit(tenant.enterprise.id, data, "members.xlsx", ACTOR)
    team = await directory.departments.find_path(tenant.enterprise.id, "研发部/一组")
    assert team is not None and result.added[0].department_id == team.id


async def test_empty_department_path_puts_the_member_at_the_root(
    directory: Directory, tenant: Tenant
) -> None:
    result = await directory.imports.commit(tenant.enterprise.id, workbook([row(1)]), "m.xlsx", ACTOR)
    assert result.added[0].department_id is None


async def test_preview_lists_the_departments_it_would_create(directory: Directory, tenant: Tenant) -> None:
    await directory.departments.create(tenant.enterprise.id, "研发部", ACTOR)
    data = workbook([row(1, department="研发部/一组"), row(2, department="市场部/华东/上海")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert preview.new_departments == ("市场部", "市场部/华东", "市场部/华东/上海", "研发部/一组")


async def test_department_segment_with_a_bad_name_is_a_row_error(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook([row(1, department="研发部/" + "x" * 65)])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xlsx")
    assert errors_of(preview.errors) == {(2, "department", "DEPARTMENT_NAME_INVALID")}


# --- passwords, labels -------------------------------------------------------------------------------


async def test_imported_password_works_and_must_be_changed_at_first_login(
    directory: Directory, tenant: Tenant
) -> None:
    result = await directory.imports.commit(tenant.enterprise.id, workbook([row(1)]), "m.xlsx", ACTOR)
    member = result.added[0]
    changed = await directory.members.change_password(
        tenant.enterprise.id, member.id, PASSWORD, "Changed-2026", ACTOR
    )
    assert (member.must_change_password, changed.must_change_password) == (True, False)


class CountingHasher(FastHasher):
    def __init__(self) -> None:
        self.hashed: list[str] = []

    async def hash(self, password: str) -> str:
        self.hashed.append(password)
        return await super().hash(password)


async def test_rows_sharing_a_password_are_hashed_once(
    db: Database, clock: FakeClock, tenant: Tenant
) -> None:
    hasher = CountingHasher()
    directory = Directory(db, clock, Settings(), RecordingMailStorage(), hasher=hasher)
    data = workbook([row(1), row(2), row(3, password="Other-2026"), row(4), row(5, password=None)])
    await directory.imports.commit(tenant.enterprise.id, data, "m.xlsx", ACTOR)
    assert sorted(hasher.hashed) == ["Other-2026", PASSWORD]


async def test_each_member_signs_in_with_the_password_of_its_own_row(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook([row(1), row(2, password="Other-2026")])
    first, second = (await directory.imports.commit(tenant.enterprise.id, data, "m.xlsx", ACTOR)).added
    await directory.members.change_password(tenant.enterprise.id, first.id, PASSWORD, "Changed-2026", ACTOR)
    changed = await directory.members.change_password(
        tenant.enterprise.id, second.id, "Other-2026", "Changed-2026", ACTOR
    )
    assert changed.must_change_password is False


async def test_row_without_password_adds_a_member_without_one(directory: Directory, tenant: Tenant) -> None:
    result = await directory.imports.commit(
        tenant.enterprise.id, workbook([row(1, password=None)]), "m.xlsx", ACTOR
    )
    assert (result.added[0].has_password, result.added[0].must_change_password) == (False, False)


async def test_english_and_chinese_role_and_staff_type_words_are_accepted(
    directory: Directory, tenant: Tenant
) -> None:
    data = workbook(
        [row(1, role="Administrator", staff_type="外包"), row(2, role="成员", staff_type="dispatched")]
    )
    result = await directory.imports.commit(tenant.enterprise.id, data, "m.xlsx", ACTOR)
    assert [(m.role, m.staff_type) for m in result.added] == [
        ("administrator", "outsourced"),
        ("member", "dispatched"),
    ]


# --- mailboxes ---------------------------------------------------------------------------------------


async def test_mailbox_column_opens_the_mailbox_and_the_store_provisions_it(
    directory: Directory, tenant: Tenant, storage: RecordingMailStorage
) -> None:
    data = workbook([row(1, mailbox=f"lilei@{tenant.domain.name}")])
    result = await directory.imports.commit(tenant.enterprise.id, data, "m.xlsx", ACTOR)
    mailbox = await directory.mailboxes.for_member(tenant.enterprise.id, result.added[0].id)
    assert (mailbox.address, result.mailboxes_opened, storage.provisioned) == (
        f"lilei@{tenant.domain.name}",
        1,
        [mailbox.id],
    )


async def test_mailbox_on_another_enterprises_domain_is_a_row_error(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await factory.tenant()
    data = workbook([row(1, mailbox=f"lilei@{other.domain.name}")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "m.xlsx")
    assert errors_of(preview.errors) == {(2, "mailbox", "MAILBOX_DOMAIN_UNKNOWN")}


async def test_occupied_mailbox_address_is_a_row_error(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant
) -> None:
    await factory.mailbox(tenant, local_part="boss")
    data = workbook([row(1, mailbox=f"boss@{tenant.domain.name}")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "m.xlsx")
    assert errors_of(preview.errors) == {(2, "mailbox", "ADDRESS_OCCUPIED")}


async def test_mailbox_address_repeated_in_the_file_is_an_error_on_the_later_row(
    directory: Directory, tenant: Tenant
) -> None:
    address = f"team@{tenant.domain.name}"
    data = workbook([row(1, mailbox=address), row(2, mailbox=address.upper())])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "m.xlsx")
    assert errors_of(preview.errors) == {(3, "mailbox", "IMPORT_MAILBOX_REPEATED")}


async def test_malformed_mailbox_address_is_a_row_error(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1, mailbox="no-at-sign")])
    preview = await directory.imports.preview(tenant.enterprise.id, data, "m.xlsx")
    assert errors_of(preview.errors) == {(2, "mailbox", "ADDRESS_INVALID")}


async def test_mailboxes_past_the_last_seat_are_row_errors(directory: Directory, tenant: Tenant) -> None:
    await directory.enterprises.set_seats(tenant.enterprise.id, 1, ACTOR)
    domain = tenant.domain.name
    data = workbook([row(1, mailbox=f"a@{domain}"), row(2, mailbox=f"b@{domain}"), row(3)])
    result = await directory.imports.commit(tenant.enterprise.id, data, "m.xlsx", ACTOR)
    assert (errors_of(result.errors), len(result.added), result.mailboxes_opened) == (
        {(3, "mailbox", "SEATS_EXHAUSTED")},
        2,
        1,
    )


# --- formats and headers -----------------------------------------------------------------------------


async def test_legacy_xls_file_is_read_with_its_date_and_number_cells(
    directory: Directory, tenant: Tenant
) -> None:
    data = (FIXTURES / "members.xls").read_bytes()
    preview = await directory.imports.preview(tenant.enterprise.id, data, "members.xls")
    first = preview.valid[0]
    assert (
        preview.file_format,
        [r.account for r in preview.valid],
        errors_of(preview.errors),
        (first.phone, str(first.hire_date)),
    ) == ("xls", ["hanmeimei", "wangfang"], {(3, "phone", "PHONE_INVALID")}, ("13800000011", "2025-07-01"))


async def test_legacy_xls_file_is_committed(directory: Directory, tenant: Tenant) -> None:
    data = (FIXTURES / "members.xls").read_bytes()
    result = await directory.imports.commit(tenant.enterprise.id, data, "members.xls", ACTOR)
    assert [(m.account, m.role, m.staff_type) for m in result.added] == [
        ("hanmeimei", "member", "regular"),
        ("wangfang", "administrator", "outsourced"),
    ]


async def test_header_columns_in_any_order_with_single_language_labels_are_recognised(
    directory: Directory, tenant: Tenant
) -> None:
    labels = [c.en if i % 2 else c.zh for i, c in enumerate(COLUMNS)]
    data = workbook([], header=list(reversed(labels)))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[DATA_SHEET].append(list(reversed([row(1).get(c.key) for c in COLUMNS])))
    buffer = io.BytesIO()
    wb.save(buffer)
    preview = await directory.imports.preview(tenant.enterprise.id, buffer.getvalue(), "m.xlsx")
    assert [(r.account, r.phone) for r in preview.valid] == [("user1", "13800000001")]


async def test_missing_header_column_is_a_file_error_naming_it(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1)], header=[c.label for c in COLUMNS if c.key != "mailbox"])
    with pytest.raises(ImportHeaderInvalid) as caught:
        await directory.imports.preview(tenant.enterprise.id, data, "m.xlsx")
    assert caught.value.params == {"missing": "企业邮箱 / Enterprise mailbox", "unknown": "-"}


async def test_unknown_header_column_is_a_file_error_naming_it(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1)], header=[*(c.label for c in COLUMNS), "备注 Notes"])
    with pytest.raises(ImportHeaderInvalid) as caught:
        await directory.imports.preview(tenant.enterprise.id, data, "m.xlsx")
    assert caught.value.params == {"missing": "-", "unknown": "备注 Notes"}


# --- file-level errors write nothing -----------------------------------------------------------------


async def test_file_that_is_not_a_workbook_is_refused(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(ImportFileInvalid) as caught:
        await directory.imports.preview(tenant.enterprise.id, b"name,account\nA,a\n", "members.csv")
    assert caught.value.params == {"filename": "members.csv"}


async def test_damaged_xlsx_is_refused_as_not_a_workbook(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1)])
    with pytest.raises(ImportFileInvalid):
        await directory.imports.preview(tenant.enterprise.id, data[: len(data) // 2], "members.xlsx")


def limited_directory(db: Database, clock: FakeClock, limits: ImportLimits) -> Directory:
    return Directory(db, clock, Settings(), RecordingMailStorage(), hasher=FastHasher(), import_limits=limits)


async def test_too_many_rows_is_a_file_error_and_nothing_is_written(
    db: Database, clock: FakeClock, tenant: Tenant
) -> None:
    directory = limited_directory(db, clock, ImportLimits(max_rows=3))
    before = await counts(directory, tenant.enterprise.id)
    data = workbook([row(n, department="研发部") for n in range(1, 5)])
    with pytest.raises(ImportTooManyRows) as caught:
        await directory.imports.commit(tenant.enterprise.id, data, "m.xlsx", ACTOR)
    assert (caught.value.params, await counts(directory, tenant.enterprise.id)) == ({"limit": 3}, before)


async def test_file_over_the_size_limit_is_a_file_error_and_nothing_is_written(
    db: Database, clock: FakeClock, tenant: Tenant
) -> None:
    directory = limited_directory(db, clock, ImportLimits(max_bytes=1000))
    before = await counts(directory, tenant.enterprise.id)
    with pytest.raises(ImportFileTooLarge):
        await directory.imports.commit(tenant.enterprise.id, workbook([row(1)]), "m.xlsx", ACTOR)
    assert await counts(directory, tenant.enterprise.id) == before


async def test_header_error_on_commit_writes_nothing(directory: Directory, tenant: Tenant) -> None:
    before = await counts(directory, tenant.enterprise.id)
    data = workbook([row(1, department="研发部")], header=["姓名", "账号"])
    with pytest.raises(ImportHeaderInvalid):
        await directory.imports.commit(tenant.enterprise.id, data, "m.xlsx", ACTOR)
    assert await counts(directory, tenant.enterprise.id) == before


# --- tenancy and audit -------------------------------------------------------------------------------


async def test_import_into_an_unknown_enterprise_is_refused(directory: Directory) -> None:
    with pytest.raises(EnterpriseNotFound):
        await directory.imports.preview(999_999, workbook([row(1)]), "m.xlsx")


async def test_commit_is_recorded_once_in_the_audit_log(directory: Directory, tenant: Tenant) -> None:
    data = workbook([row(1), row(2, phone="12")])
    await directory.imports.commit(tenant.enterprise.id, data, "staff.xlsx", ACTOR)
    entries = [e for e in await directory.audit_log(tenant.enterprise.id) if e.action == "member.import"]
    assert [(e.target, dict(e.detail)) for e in entries] == [
        ("staff.xlsx", {"added": 1, "errors": 1, "superseded": 0, "mailboxes": 0, "departments": 0})
    ]
