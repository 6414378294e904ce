"""REST API v1 mailboxes: list, pinyin suggestion, open (single, batch), quota, immutable address, close."""

from __future__ import annotations

import pytest

from support.server import RunningServer
from support.web import ACTOR, admin_client, web_tenant
from web.api.mail_tenant import add_domain, add_member, error_of, open_mailbox

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_opening_without_a_local_part_uses_the_name_in_pinyin(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant, "小明")
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/mailboxes", json={"member_id": member.id, "domain_id": tenant.domain.id}
        )

    assert response.status_code == 201
    body = response.json()
    assert (body["address"], body["kind"], body["status"], body["member_id"]) == (
        f"xiaoming@{tenant.domain.name}",
        "personal",
        "open",
        member.id,
    )


async def test_an_edited_local_part_is_stored_lower_case(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        body = await open_mailbox(client, member, tenant.domain.id, "Xiao.Ming-1")

    assert body["address"] == f"xiao.ming-1@{tenant.domain.name}"


async def test_a_local_part_ending_with_a_dot_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/mailboxes",
            json={"member_id": member.id, "domain_id": tenant.domain.id, "local_part": "xiaoming."},
        )

    assert error_of(response) == (400, "LOCAL_PART_INVALID")


async def test_an_address_in_use_is_refused_as_occupied(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, first, tenant.domain.id, "sales")
        response = await client.post(
            "/api/v1/mailboxes",
            json={"member_id": second.id, "domain_id": tenant.domain.id, "local_part": "SALES"},
        )

    assert error_of(response) == (409, "ADDRESS_OCCUPIED")
    assert f"sales@{tenant.domain.name}" in response.json()["message"]


async def test_an_address_whose_mailbox_is_in_the_recycle_bin_says_restore_or_purge(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        closed = await open_mailbox(client, first, tenant.domain.id, "sales")
        await client.post(f"/api/v1/mailboxes/{closed['id']}/close")
        response = await client.post(
            "/api/v1/mailboxes",
            json={"member_id": second.id, "domain_id": tenant.domain.id, "local_part": "sales"},
            headers={"accept-language": "en"},
        )

    assert error_of(response) == (409, "ADDRESS_IN_RECYCLE_BIN")
    assert "restore or purge" in response.json()["message"]


async def test_a_member_with_a_mailbox_cannot_get_a_second_one(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, member, tenant.domain.id, "one")
        response = await client.post(
            "/api/v1/mailboxes",
            json={"member_id": member.id, "domain_id": tenant.domain.id, "local_part": "two"},
        )

    assert error_of(response) == (409, "MAILBOX_ALREADY_OPEN")


async def test_opening_beyond_the_seats_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    await org_server.services.directory.enterprises.set_seats(tenant.enterprise.id, 1, ACTOR)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, first, tenant.domain.id, "one")
        response = await client.post(
            "/api/v1/mailboxes",
            json={"member_id": second.id, "domain_id": tenant.domain.id, "local_part": "two"},
        )

    assert error_of(response) == (409, "SEATS_EXHAUSTED")


async def test_errors_come_in_the_requested_language(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/mailboxes",
            json={"member_id": member.id, "domain_id": tenant.domain.id, "local_part": "a..b"},
            headers={"accept-language": "zh-CN"},
        )

    assert error_of(response) == (400, "LOCAL_PART_INVALID")
    assert "邮箱前缀" in response.json()["message"]


async def test_suggestion_is_the_pinyin_address_then_the_first_free_numbered_one(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant, "张三"), await add_member(org_server, tenant, "张三")
    async with admin_client(org_server, tenant) as client:
        url = f"/api/v1/members/{second.id}/mailbox/suggestion"
        before = (await client.get(url, params={"domain_id": tenant.domain.id})).json()
        await open_mailbox(client, first, tenant.domain.id)
        after = (await client.get(url, params={"domain_id": tenant.domain.id})).json()

    domain = tenant.domain.name
    assert (before["address"], before["is_preferred"]) == (f"zhangsan@{domain}", True)
    assert (after["address"], after["preferred"], after["is_preferred"]) == (
        f"zhangsan2@{domain}",
        f"zhangsan@{domain}",
        False,
    )


async def test_batch_open_gives_namesakes_numbered_addresses_and_reports_each_failure(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    a, b = await add_member(org_server, tenant, "张三"), await add_member(org_server, tenant, "张三")
    already = await add_member(org_server, tenant, "李四")
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, already, tenant.domain.id, "lisi")
        response = await client.post(
            "/api/v1/mailboxes/batch",
            json={"member_ids": [a.id, b.id, already.id, 999_999], "domain_id": tenant.domain.id},
        )

    assert response.status_code == 200
    body = response.json()
    outcome = [
        (r["member_id"], r["ok"], r["address"], r["error"] and r["error"]["code"]) for r in body["results"]
    ]
    domain = tenant.domain.name
    assert outcome == [
        (a.id, True, f"zhangsan@{domain}", None),
        (b.id, True, f"zhangsan2@{domain}", None),
        (already.id, False, f"lisi2@{domain}", "MAILBOX_ALREADY_OPEN"),
        (999_999, False, None, "MEMBER_NOT_FOUND"),
    ]
    assert (body["opened"], body["failed"]) == (2, 2)


async def test_list_filters_by_status_kind_and_text_and_counts_every_match(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    members = [await add_member(org_server, tenant) for _ in range(3)]
    async with admin_client(org_server, tenant) as client:
        opened = [await open_mailbox(client, m, tenant.domain.id, f"box{i}") for i, m in enumerate(members)]
        await client.post(f"/api/v1/mailboxes/{opened[2]['id']}/close")

        open_page = (await client.get("/api/v1/mailboxes", params={"status": "open", "limit": 1})).json()
        recycled = (await client.get("/api/v1/mailboxes", params={"status": "recycled"})).json()
        found = (await client.get("/api/v1/mailboxes", params={"q": "BOX1"})).json()
        shared = (await client.get("/api/v1/mailboxes", params={"kind": "shared"})).json()

    assert (open_page["total"], len(open_page["items"]), open_page["limit"]) == (2, 1, 1)
    assert [m["id"] for m in recycled["items"]] == [opened[2]["id"]]
    assert [m["id"] for m in found["items"]] == [opened[1]["id"]]
    assert shared["total"] == 0


async def test_list_filters_by_member(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, first, tenant.domain.id, "first")
        wanted = await open_mailbox(client, second, tenant.domain.id, "second")
        page = (await client.get("/api/v1/mailboxes", params={"member_id": second.id})).json()

    assert [m["id"] for m in page["items"]] == [wanted["id"]]


async def test_a_mailbox_shows_its_usage_and_unlimited_quota(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id, "reader")
        await org_server.services.mailstore.ingest(opened["id"], b"Subject: hi\r\n\r\nHello\r\n")
        response = await client.get(f"/api/v1/mailboxes/{opened['id']}")

    body = response.json()
    assert (response.status_code, body["message_count"], body["quota_bytes"]) == (200, 1, None)
    assert body["used_bytes"] > 0


async def test_quota_is_set_and_cleared(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id)
        url = f"/api/v1/mailboxes/{opened['id']}"
        limited = await client.patch(url, json={"quota_bytes": 1_073_741_824})
        unlimited = await client.patch(url, json={"quota_bytes": None})

    assert (limited.status_code, limited.json()["quota_bytes"]) == (200, 1_073_741_824)
    assert (unlimited.status_code, unlimited.json()["quota_bytes"]) == (200, None)


async def test_a_negative_quota_is_invalid_input(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id)
        response = await client.patch(f"/api/v1/mailboxes/{opened['id']}", json={"quota_bytes": -1})

    assert error_of(response) == (400, "INVALID_INPUT")


async def test_the_address_cannot_be_changed(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id, "fixed")
        url = f"/api/v1/mailboxes/{opened['id']}"
        changed = await client.patch(url, json={"address": f"other@{tenant.domain.name}", "quota_bytes": 5})
        restated = await client.patch(url, json={"address": f"FIXED@{tenant.domain.name}"})
        after = (await client.get(url)).json()

    assert error_of(changed) == (409, "MAILBOX_ADDRESS_IMMUTABLE")
    assert restated.status_code == 200
    assert (after["address"], after["quota_bytes"]) == (f"fixed@{tenant.domain.name}", None)


async def test_closing_moves_the_mailbox_to_the_recycle_bin_once(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id)
        closed = await client.post(f"/api/v1/mailboxes/{opened['id']}/close")
        again = await client.post(f"/api/v1/mailboxes/{opened['id']}/close")
        bin_page = (await client.get("/api/v1/recycle-bin")).json()

    assert (closed.status_code, closed.json()["status"]) == (200, "recycled")
    assert error_of(again) == (409, "MAILBOX_RECYCLED")
    assert [item["mailbox"]["id"] for item in bin_page["items"]] == [opened["id"]]


async def test_an_idn_domain_address_is_shown_as_u_label(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    domain = await add_domain(org_server, tenant, f"例子{tenant.enterprise.id}.中国")
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        body = await open_mailbox(client, member, domain.id, "wang")

    assert body["address"] == f"wang@{domain.display_name}"
    assert body["ascii_address"] == f"wang@{domain.name}"
    assert domain.name.startswith("xn--")


async def test_an_unknown_mailbox_is_not_found(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        missing = await client.get("/api/v1/mailboxes/987654")
        huge = await client.get(f"/api/v1/mailboxes/{2**70}")

    assert error_of(missing) == (404, "MAILBOX_NOT_FOUND")
    assert error_of(huge) == (400, "INVALID_INPUT")


async def test_a_change_without_the_csrf_header_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/mailboxes",
            json={"member_id": member.id, "domain_id": tenant.domain.id},
            headers={"x-csrf-token": ""},
        )
        listed = (await client.get("/api/v1/mailboxes")).json()

    assert error_of(response) == (403, "CSRF_TOKEN_INVALID")
    assert listed["total"] == 0
