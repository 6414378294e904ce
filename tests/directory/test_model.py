"""Pure input rules of the directory (PRODUCT §2, §3, §5): no database needed."""

from __future__ import annotations

import datetime as dt

import pytest

from yunmail.directory.model import (
    account_key,
    default_local_part,
    is_sms_phone,
    normalise_local_part,
    normalise_org_id,
    normalise_phone,
    parse_hire_date,
    validate_account,
    validate_contact_email,
    validate_department_name,
    validate_enterprise_name,
    validate_member_name,
    validate_role,
    validate_staff_type,
)
from yunmail.errors import (
    AccountInvalid,
    ContactEmailInvalid,
    DepartmentNameInvalid,
    EnterpriseNameInvalid,
    HireDateInvalid,
    LocalPartInvalid,
    MemberNameInvalid,
    OrgIdInvalid,
    PhoneInvalid,
    RoleInvalid,
    StaffTypeInvalid,
)


def test_org_id_is_normalised_to_lower_case() -> None:
    assert normalise_org_id("  KMail-2 ") == "kmail-2"


@pytest.mark.parametrize("org_id", ["k", "2mail", "k_mail", "k.mail", "a" * 33, "", "邮件"])
def test_org_id_outside_the_rule_is_invalid(org_id: str) -> None:
    with pytest.raises(OrgIdInvalid):
        normalise_org_id(org_id)


def test_account_keeps_its_case_but_compares_lower_case() -> None:
    assert (validate_account("Zhang.San_1-x"), account_key("Zhang.San_1-x")) == (
        "Zhang.San_1-x",
        "zhang.san_1-x",
    )


@pytest.mark.parametrize("account", ["", "a" * 21, "zhang san", "zhang@san", "张三", "a+b"])
def test_account_outside_the_rule_is_invalid(account: str) -> None:
    with pytest.raises(AccountInvalid):
        validate_account(account)


@pytest.mark.parametrize(
    "phone", ["13812345678", "+8613812345678", "8613812345678", "+86 138-1234-5678", "138 1234 5678"]
)
def test_mainland_mobile_numbers_are_stored_as_eleven_digits(phone: str) -> None:
    assert normalise_phone(phone) == "13812345678"


def test_international_numbers_are_kept_in_e164_form() -> None:
    assert normalise_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize(
    "phone", ["12812345678", "1381234567", "+8610123456", "02079460958", "phone", "+0123456789"]
)
def test_other_phone_numbers_are_invalid(phone: str) -> None:
    with pytest.raises(PhoneInvalid):
        normalise_phone(phone)


def test_only_mainland_mobiles_can_receive_sms_codes() -> None:
    assert (is_sms_phone("13812345678"), is_sms_phone("+442079460958")) == (True, False)


@pytest.mark.parametrize("email", ["li.lei@example.com", "li+tag@例子.中国", "x@sub.example.org"])
def test_contact_email_accepts_plain_and_international_addresses(email: str) -> None:
    assert validate_contact_email(f" {email} ") == email


@pytest.mark.parametrize(
    "email", ["li.lei", "li lei@example.com", "@example.com", "li@localhost", "li..lei@example.com"]
)
def test_contact_email_that_is_not_an_address_is_invalid(email: str) -> None:
    with pytest.raises(ContactEmailInvalid):
        validate_contact_email(email)


def test_role_must_be_member_or_administrator() -> None:
    with pytest.raises(RoleInvalid):
        validate_role("owner")


@pytest.mark.parametrize("staff_type", ["regular", "intern", "dispatched", "outsourced"])
def test_the_four_staff_types_are_accepted(staff_type: str) -> None:
    assert validate_staff_type(staff_type) == staff_type


def test_unknown_staff_type_is_invalid() -> None:
    with pytest.raises(StaffTypeInvalid):
        validate_staff_type("contractor")


@pytest.mark.parametrize("text", ["2024/03/01", "2024-03-01"])
def test_hire_date_is_read_as_year_month_day(text: str) -> None:
    assert parse_hire_date(text) == dt.date(2024, 3, 1)


def test_empty_hire_date_means_none() -> None:
    assert parse_hire_date("  ") is None


@pytest.mark.parametrize("text", ["2024/02/30", "01/03/2024", "yesterday"])
def test_hire_date_that_is_not_a_date_is_invalid(text: str) -> None:
    with pytest.raises(HireDateInvalid):
        parse_hire_date(text)


def test_local_part_is_lower_cased() -> None:
    assert normalise_local_part("Xiao.Ming_1-2") == "xiao.ming_1-2"


@pytest.mark.parametrize(
    "local", ["", "xiaoming.", ".xiaoming", "xiao..ming", "xiao ming", "xiao+ming", "a" * 65, "小明"]
)
def test_local_part_outside_the_rule_is_invalid(local: str) -> None:
    with pytest.raises(LocalPartInvalid):
        normalise_local_part(local)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("小明", "xiaoming"),
        ("吕布", "lvbu"),
        ("张三3号", "zhangsan3hao"),
        ("John Smith", "johnsmith"),
        ("José Díaz", "josediaz"),
    ],
)
def test_default_local_part_is_the_name_in_pinyin(name: str, expected: str) -> None:
    assert default_local_part(name, "fallback") == expected


def test_default_local_part_falls_back_to_the_account_when_the_name_has_no_letters() -> None:
    assert default_local_part("★☆", "Li.Lei-") == "li.lei-"


def test_department_name_cannot_contain_a_slash() -> None:
    with pytest.raises(DepartmentNameInvalid):
        validate_department_name("R&D/Team")


@pytest.mark.parametrize(
    ("validate", "error", "limit"),
    [(validate_enterprise_name, EnterpriseNameInvalid, 100), (validate_member_name, MemberNameInvalid, 64)],
)
def test_names_longer_than_their_limit_are_invalid(
    validate: object, error: type[Exception], limit: int
) -> None:
    assert callable(validate)
    with pytest.raises(error):
        validate("x" * (limit + 1))
