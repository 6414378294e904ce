"""``yunmail domain records|check ORG DOMAIN --json`` against the test DNS server (issue 6)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from support.dns_server import DnsTestServer
from yunmail.cli.main import main

HOST = "mx.yunmail.test"


@pytest.fixture
def yunmail(
    dns_zone: DnsTestServer, tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> Any:
    """``yunmail ARGS --json`` on a config whose resolver is the test DNS server; returns the JSON."""
    config = tmp_path / "dns.toml"
    config.write_text(
        f'hostname = "{HOST}"\ndatabase_url = "{database_url}"\n'
        f'[dns]\nnameservers = ["{dns_zone.nameserver}"]\n',
        encoding="utf-8",
    )

    async def run(*args: str) -> Any:
        def call() -> Any:
            capsys.readouterr()
            main([*args, "--config", str(config), "--json"])
            return json.loads(capsys.readouterr().out)

        # The CLI runs its own event loop; a thread keeps this test's loop (and the DNS server) running.
        return await asyncio.to_thread(call)

    return run


def _publish(server: DnsTestServer, domain: str, records: list[dict[str, Any]]) -> None:
    server.add_zone(domain)
    server.add_zone("yunmail.test")
    server.add(f"_spf.{HOST}", "TXT", "v=spf1 ip4:192.0.2.0/24 -all")
    for record in records:
        if record["type"] == "TXT":
            server.add(record["host"], "TXT", record["value"])
        else:
            server.add(record["host"], record["type"], record["value"] + ".")


async def test_domain_records_json_lists_the_dkim_key_row(yunmail: Any) -> None:
    await yunmail("enterprise", "create", "Acme", "--org", "acme")
    await yunmail("domain", "add", "acme", "acme.test")

    records = await yunmail("domain", "records", "acme", "acme.test")

    (dkim,) = [r for r in records if r["purpose"] == "dkim"]
    assert (
        dkim["type"],
        dkim["host"].endswith("._domainkey.acme.test"),
        dkim["value"][:19],
        dkim["ttl"],
    ) == (
        "TXT",
        True,
        "v=DKIM1; k=rsa; p=M",
        600,
    )


async def test_domain_check_json_saves_the_verified_state(yunmail: Any, dns_zone: DnsTestServer) -> None:
    await yunmail("enterprise", "create", "Acme", "--org", "acme")
    await yunmail("domain", "add", "acme", "acme.test")
    _publish(dns_zone, "acme.test", await yunmail("domain", "records", "acme", "acme.test"))

    check = await yunmail("domain", "check", "acme", "acme.test")

    listed = await yunmail("domain", "list", "acme")
    assert (check["state"], check["previous_state"], check["domain_state"]) == (
        "verified",
        "pending",
        "verified",
    )
    assert [d["state"] for d in listed] == ["verified"]


async def test_domain_check_json_gives_per_record_status_and_diagnosis_codes(
    yunmail: Any, dns_zone: DnsTestServer
) -> None:
    await yunmail("enterprise", "create", "Acme", "--org", "acme")
    await yunmail("domain", "add", "acme", "acme.test")
    records = await yunmail("domain", "records", "acme", "acme.test")
    _publish(dns_zone, "acme.test", [r for r in records if r["purpose"] != "mx"])

    check = await yunmail("domain", "check", "acme", "acme.test")

    mx = [(r["state"], [e["code"] for e in r["errors"]]) for r in check["records"] if r["purpose"] == "mx"]
    assert (check["domain_state"], mx) == ("pending", [("missing", ["RECORD_MISSING"])])
    assert check["reason"] == [
        {"purpose": "mx", "host": "acme.test", "state": "missing", "codes": ["RECORD_MISSING"]}
    ]
