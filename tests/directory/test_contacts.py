"""Personal contacts: add, search, tenant scope, and import/export as vCard and CSV (round trips)."""

from __future__ import annotations

import csv
import io

import pytest

from support.factories import DirectoryFactory, Tenant
from yunmail.directory import ContactDraft
from yunmail.errors import ContactInvalid, ContactNotFound, MemberNotFound

VCARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:王芳\r\nN:王;芳;;;\r\nEMAIL;TYPE=INTERNET:Wang.Fang@Partner.example\r\n"
    "TEL;TYPE=CELL:13800138000\r\nORG:伙伴公司\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:John Smith\r\nEMAIL:john@outside.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nEND:VCARD\r\n"
).encode()


async def test_added_contacts_are_found_by_name_email_or_company(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    member = await factory.member(tenant.enterprise.id)
    contacts = factory.directory.contacts
    await contacts.add(
        tenant.enterprise.id, member.id, ContactDraft("Li Lei", "LI@Example.org", company="ACME")
    )
    await contacts.add(tenant.enterprise.id, member.id, ContactDraft("Han Meimei", "han@example.org"))

    by_company = await contacts.list(tenant.enterprise.id, member.id, "acme")

    assert [(c.name, c.email) for c in by_company] == [("Li Lei", "li@example.org")]
    assert len(await contacts.list(tenant.enterprise.id, member.id)) == 2


async def test_a_contact_needs_a_name_or_a_valid_address(factory: DirectoryFactory, tenant: Tenant) -> None:
    member = await factory.member(tenant.enterprise.id)
    with pytest.raises(ContactInvalid):
        await factory.directory.contacts.add(tenant.enterprise.id, member.id, ContactDraft("", None))
    with pytest.raises(ContactInvalid):
        await factory.directory.contacts.add(tenant.enterprise.id, member.id, ContactDraft("X", "not-mail"))


async def test_contacts_of_another_enterprise_are_out_of_reach(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await factory.tenant()
    stranger = await factory.member(other.enterprise.id)
    member = await factory.member(tenant.enterprise.id)
    await factory.directory.contacts.add(
        other.enterprise.id, stranger.id, ContactDraft("Secret", "s@x.example")
    )
    secret = (await factory.directory.contacts.list(other.enterprise.id, stranger.id))[0]

    with pytest.raises(MemberNotFound):
        await factory.directory.contacts.list(tenant.enterprise.id, stranger.id)
    with pytest.raises(ContactNotFound):
        await factory.directory.contacts.delete(tenant.enterprise.id, member.id, secret.id)


async def test_vcard_import_adds_good_entries_and_reports_the_rest(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    member = await factory.member(tenant.enterprise.id)
    contacts = factory.directory.contacts

    report = await contacts.import_file(tenant.enterprise.id, member.id, VCARDS, "phone.vcf")
    again = await contacts.import_file(tenant.enterprise.id, member.id, VCARDS, "phone.vcf")

    listed = await contacts.list(tenant.enterprise.id, member.id)
    assert (report.added, [n for n, _ in report.skipped]) == (2, [3])
    assert again.added == 0 and all("duplicate" in reason for _, reason in again.skipped[:2])
    wang = next(c for c in listed if c.name == "王芳")
    assert (wang.email, wang.phone, wang.company) == ("wang.fang@partner.example", "13800138000", "伙伴公司")


async def test_vcard_export_imports_back_to_the_same_contacts(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    first = await factory.member(tenant.enterprise.id)
    second = await factory.member(tenant.enterprise.id)
    contacts = factory.directory.contacts
    await contacts.import_file(tenant.enterprise.id, first.id, VCARDS, "phone.vcf")

    exported = await contacts.export_vcard(tenant.enterprise.id, first.id)
    await contacts.import_file(tenant.enterprise.id, second.id, exported, "export.vcf")

    def summary(items: tuple[object, ...]) -> list[tuple[object, ...]]:
        return sorted((c.name, c.email, c.phone, c.company) for c in items)  # type: ignore[attr-defined]

    assert summary(await contacts.list(tenant.enterprise.id, second.id)) == summary(
        await contacts.list(tenant.enterprise.id, first.id)
    )


async def test_csv_with_chinese_headers_imports_and_exports_safely(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    member = await factory.member(tenant.enterprise.id)
    contacts = factory.directory.contacts
    data = '姓名,邮箱,手机,公司\r\n赵六,zhao@x.example,13900000000,=HYPERLINK("x")\r\n'.encode("gb18030")

    report = await contacts.import_file(tenant.enterprise.id, member.id, data, "contacts.csv")
    exported = (await contacts.export_csv(tenant.enterprise.id, member.id)).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(exported)))
    assert report.added == 1
    assert rows[1][:4] == [
        "赵六",
        "zhao@x.example",
        "13900000000",
        '\'=HYPERLINK("x")',
    ]  # formula neutralised
