"""Administration commands run in-process: results as JSON, refusals as catalogue errors, exit codes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from cli.runner import Cli
from support.dns_server import DnsTestServer
from yunmail.cli.main import main
from yunmail.config import load_settings
from yunmail.errors import PasswordTooShort, PasswordTooWeak
from yunmail.security import check_password_policy


@pytest.fixture
def acme(cli: Cli) -> Cli:
    """An enterprise ``acme`` with the trusted domain ``acme.test``."""
    assert cli("enterprise", "create", "Acme 公司", "--org", "acme").code == 0
    assert cli("domain", "add", "acme", "acme.test", "--trust").code == 0
    return cli


def _add_zhangwei(cli: Cli, *extra: str) -> None:
    outcome = cli("member", "add", "acme", "zhangwei", "--name", "张伟", "--phone", "13900000001", *extra)
    assert outcome.code == 0, outcome.stdout


# --- enterprises ---------------------------------------------------------------------------------


def test_enterprise_create_prints_the_new_enterprise(cli: Cli) -> None:
    outcome = cli("enterprise", "create", "Acme 公司", "--org", "acme")

    assert outcome.code == 0
    assert {k: outcome.data[k] for k in ("name", "org_id", "status")} == {
        "name": "Acme 公司",
        "org_id": "acme",
        "status": "active",
    }


def test_enterprise_create_with_a_taken_org_id_fails_with_its_code(acme: Cli) -> None:
    outcome = acme("enterprise", "create", "Other", "--org", "acme")

    assert outcome.code == 1
    assert outcome.data == {
        "code": "ORG_ID_TAKEN",
        "message": "The organisation identifier 'acme' is already used by another enterprise",
    }


def test_enterprise_list_shows_every_enterprise(acme: Cli) -> None:
    acme("enterprise", "create", "Beta", "--org", "beta")

    outcome = acme("enterprise", "list")

    assert sorted(e["org_id"] for e in outcome.data) == ["acme", "beta"]


def test_enterprise_show_includes_its_domains(acme: Cli) -> None:
    outcome = acme("enterprise", "show", "acme")

    assert outcome.data["enterprise"]["org_id"] == "acme"
    assert [d["name"] for d in outcome.data["domains"]] == ["acme.test"]


def test_unknown_organisation_fails_with_enterprise_not_found(cli: Cli) -> None:
    outcome = cli("member", "list", "nosuch")

    assert (outcome.code, outcome.data["code"]) == (1, "ENTERPRISE_NOT_FOUND")


# --- domains -------------------------------------------------------------------------------------


def test_trusted_domain_is_verified_at_once(cli: Cli) -> None:
    cli("enterprise", "create", "Acme", "--org", "acme")

    outcome = cli("domain", "add", "acme", "acme.test", "--trust")

    assert (outcome.data["name"], outcome.data["mode"], outcome.data["state"]) == (
        "acme.test",
        "full",
        "verified",
    )


def test_untrusted_ownership_domain_waits_for_verification(cli: Cli) -> None:
    cli("enterprise", "create", "Acme", "--org", "acme")

    outcome = cli("domain", "add", "acme", "acme.test", "--mode", "ownership")

    assert (outcome.data["mode"], outcome.data["state"]) == ("ownership", "pending")


def test_domain_with_www_prefix_is_refused_with_a_suggestion(cli: Cli) -> None:
    cli("enterprise", "create", "Acme", "--org", "acme")

    outcome = cli("domain", "add", "acme", "www.acme.test")

    assert outcome.data["code"] == "DOMAIN_HAS_WWW"
    assert "acme.test" in outcome.data["message"]


def test_unknown_verification_mode_fails_with_domain_mode_invalid(cli: Cli) -> None:
    cli("enterprise", "create", "Acme", "--org", "acme")

    outcome = cli("domain", "add", "acme", "acme.test", "--mode", "partial")

    assert outcome.data["code"] == "DOMAIN_MODE_INVALID"


def test_domain_list_shows_the_enterprise_domains(acme: Cli) -> None:
    acme("domain", "add", "acme", "例子.测试", "--trust")

    outcome = acme("domain", "list", "acme")

    assert sorted(d["display_name"] for d in outcome.data) == ["acme.test", "例子.测试"]


def test_ownership_records_are_the_dnsauth_txt_with_the_token(cli: Cli) -> None:
    cli("enterprise", "create", "Acme", "--org", "acme")
    token = cli("domain", "add", "acme", "acme.test", "--mode", "ownership").data["ownership_token"]

    outcome = cli("domain", "records", "acme", "acme.test")

    required = [r for r in outcome.data if r["required"]]
    assert required == [
        {
            "type": "TXT",
            "host": "_dnsauth.acme.test",
            "value": token,
            "ttl": 600,
            "purpose": "ownership",
            "required": True,
        }
    ]


def test_full_mode_records_point_mx_and_spf_at_this_host(acme: Cli, config_file: Path) -> None:
    hostname = load_settings(config_file, env={}).hostname

    outcome = acme("domain", "records", "acme", "acme.test")

    by_purpose = {r["purpose"]: r for r in outcome.data}
    assert by_purpose["mx"]["value"] == f"10 {hostname}"
    assert f"include:_spf.{hostname}" in by_purpose["spf"]["value"]
    assert {"mx", "spf", "dmarc", "webmail"} <= set(by_purpose)


async def test_domain_check_reports_a_published_ownership_record_as_found(
    dns_zone: DnsTestServer, tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "dns.toml"
    config.write_text(
        f'database_url = "{database_url}"\n[dns]\nnameservers = ["{dns_zone.nameserver}"]\n', encoding="utf-8"
    )

    def yunmail(*args: str) -> Any:
        capsys.readouterr()
        main([*args, "--config", str(config), "--json"])
        return json.loads(capsys.readouterr().out)

    # The CLI runs its own event loop; a thread keeps this test's loop (and the DNS server) running.
    await asyncio.to_thread(yunmail, "enterprise", "create", "Acme", "--org", "acme")
    added = await asyncio.to_thread(yunmail, "domain", "add", "acme", "acme.test", "--mode", "ownership")
    dns_zone.add_zone("acme.test")
    dns_zone.add("_dnsauth.acme.test", "TXT", added["ownership_token"])

    check = await asyncio.to_thread(yunmail, "domain", "check", "acme", "acme.test")

    ownership = [r for r in check["records"] if r["purpose"] == "ownership"]
    assert [(r["state"], r["found"]) for r in ownership] == [("ok", [added["ownership_token"]])]
    assert check["state"] == "verified"


def test_domain_records_of_an_unknown_domain_fails_with_domain_not_found(acme: Cli) -> None:
    outcome = acme("domain", "records", "acme", "other.test")

    assert outcome.data["code"] == "DOMAIN_NOT_FOUND"


# --- members -------------------------------------------------------------------------------------


def test_member_added_without_a_password_gets_a_generated_one_that_passes_the_policy(acme: Cli) -> None:
    outcome = acme("member", "add", "acme", "zhangwei", "--name", "张伟", "--phone", "13900000001")

    password = outcome.data["initial_password"]
    check_password_policy(password)
    assert outcome.data["login"] == "zhangwei@acme"
    assert outcome.data["member"]["must_change_password"] is True


def test_member_added_with_a_password_does_not_print_it(acme: Cli) -> None:
    outcome = acme(
        "member",
        "add",
        "acme",
        "lina",
        "--name",
        "李娜",
        "--email",
        "lina@example.com",
        "--password",
        "Secret-2026",
    )

    assert "initial_password" not in outcome.data
    assert "Secret-2026" not in outcome.stdout


@pytest.mark.parametrize(
    ("password", "code"), [("short1", PasswordTooShort.code), ("alllowercase", PasswordTooWeak.code)]
)
def test_member_with_a_password_breaking_the_policy_is_refused(acme: Cli, password: str, code: str) -> None:
    outcome = acme(
        "member", "add", "acme", "lina", "--name", "李娜", "--phone", "13900000002", "--password", password
    )

    assert outcome.data["code"] == code


def test_member_department_path_is_created_when_missing(acme: Cli) -> None:
    _add_zhangwei(acme, "--department", "研发部/平台组")

    outcome = acme("member", "show", "acme", "zhangwei")

    assert outcome.data["member"]["department_id"] is not None


def test_member_without_phone_or_email_is_refused(acme: Cli) -> None:
    outcome = acme("member", "add", "acme", "lina", "--name", "李娜")

    assert outcome.data["code"] == "CONTACT_REQUIRED"


def test_member_delete_is_refused_until_the_member_is_disabled(acme: Cli) -> None:
    _add_zhangwei(acme)

    refused = acme("member", "delete", "acme", "zhangwei")
    disabled = acme("member", "disable", "acme", "zhangwei")
    deleted = acme("member", "delete", "acme", "zhangwei")

    assert refused.data["code"] == "MEMBER_NOT_DISABLED"
    assert disabled.data["status"] == "disabled"
    assert deleted.data == {"deleted": "zhangwei@acme"}


def test_enable_brings_a_disabled_member_back(acme: Cli) -> None:
    _add_zhangwei(acme)
    acme("member", "disable", "acme", "zhangwei")

    outcome = acme("member", "enable", "acme", "zhangwei")

    assert outcome.data["status"] == "active"


def test_member_list_shows_accounts(acme: Cli) -> None:
    _add_zhangwei(acme)

    outcome = acme("member", "list", "acme")

    assert [(m["account"], m["name"]) for m in outcome.data] == [("zhangwei", "张伟")]


# --- mailboxes -----------------------------------------------------------------------------------


def test_mailbox_defaults_to_the_name_in_pinyin_on_the_only_domain(acme: Cli) -> None:
    _add_zhangwei(acme)

    outcome = acme("mailbox", "open", "acme", "zhangwei")

    assert (outcome.data["address"], outcome.data["status"]) == ("zhangwei@acme.test", "open")


def test_mailbox_address_option_picks_local_part_and_domain(acme: Cli) -> None:
    acme("domain", "add", "acme", "acme.example", "--trust")
    _add_zhangwei(acme)

    outcome = acme("mailbox", "open", "acme", "zhangwei", "--address", "wei.zhang@acme.example")

    assert outcome.data["address"] == "wei.zhang@acme.example"


def test_mailbox_without_address_on_an_enterprise_with_two_domains_is_refused(acme: Cli) -> None:
    acme("domain", "add", "acme", "acme.example", "--trust")
    _add_zhangwei(acme)

    outcome = acme("mailbox", "open", "acme", "zhangwei")

    assert outcome.data["code"] == "INVALID_INPUT"


def test_closed_mailbox_is_in_the_recycle_bin_until_restored(acme: Cli) -> None:
    _add_zhangwei(acme)
    acme("mailbox", "open", "acme", "zhangwei")

    closed = acme("mailbox", "close", "acme", "zhangwei@acme.test")
    recycled = acme("mailbox", "list", "acme", "--status", "recycled")
    restored = acme("mailbox", "restore", "acme", "ZhangWei@acme.test")

    assert closed.data["status"] == "recycled"
    assert [m["address"] for m in recycled.data] == ["zhangwei@acme.test"]
    assert restored.data["status"] == "open"


def test_purging_an_open_mailbox_is_refused(acme: Cli) -> None:
    _add_zhangwei(acme)
    acme("mailbox", "open", "acme", "zhangwei")

    outcome = acme("mailbox", "purge", "acme", "zhangwei@acme.test")

    assert outcome.data["code"] == "MAILBOX_NOT_IN_RECYCLE_BIN"


def test_purged_mailbox_frees_its_address(acme: Cli) -> None:
    _add_zhangwei(acme)
    acme("mailbox", "open", "acme", "zhangwei")
    acme("mailbox", "close", "acme", "zhangwei@acme.test")

    purged = acme("mailbox", "purge", "acme", "zhangwei@acme.test")
    reopened = acme("mailbox", "open", "acme", "zhangwei")

    assert purged.data == {"purged": "zhangwei@acme.test"}
    assert reopened.data["address"] == "zhangwei@acme.test"


def test_unknown_mailbox_fails_with_mailbox_not_found(acme: Cli) -> None:
    outcome = acme("mailbox", "close", "acme", "nobody@acme.test")

    assert outcome.data["code"] == "MAILBOX_NOT_FOUND"
