"""Operator console outbox and platform settings pages over real HTTP."""

from __future__ import annotations

import re

import httpx

from support.server import RunningServer
from yunmail.web.operator.platform_pages import linkify


async def test_the_outbox_lists_messages_newest_first_with_links_clickable(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    sender = server.services.auth.email
    await sender.send_email("first@x.test", "Older", "no link here")
    await server.services.auth.sms.send_sms(
        "13800000000", "Open https://mail.yunmail.test/admin/invite/abc. Thanks"
    )

    response = await operator_client.get("/operator/outbox")

    assert response.status_code == 200
    assert re.findall(r'data-recipient="([^"]+)"', response.text) == ["13800000000", "first@x.test"]
    assert (
        '<a href="https://mail.yunmail.test/admin/invite/abc" rel="noopener noreferrer" '
        'data-testid="outbox-link">https://mail.yunmail.test/admin/invite/abc</a>. Thanks'
    ) in response.text


async def test_the_outbox_escapes_message_text(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    await server.services.auth.email.send_email(
        "evil@x.test", "<b>subject</b>", '<script>alert(1)</script> https://x.test/"onmouseover=alert(1)'
    )

    response = await operator_client.get("/operator/outbox")

    assert "<script>alert(1)" not in response.text and "<b>subject" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert '<a href="https://x.test/" ' in response.text  # the link stops at the quote


async def test_the_outbox_filters_by_recipient(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    await server.services.auth.email.send_email("keep@x.test", "A", "kept")
    await server.services.auth.email.send_email("other@x.test", "B", "hidden")

    response = await operator_client.get("/operator/outbox", params={"recipient": "keep@x.test"})

    assert re.findall(r'data-recipient="([^"]+)"', response.text) == ["keep@x.test"]


def test_linkify_leaves_trailing_punctuation_out_of_links() -> None:
    pieces = linkify("See http://a.test/x, and (https://b.test/y). 见https://c.test/z。")

    assert [href for _, href in pieces if href] == ["http://a.test/x", "https://b.test/y", "https://c.test/z"]
    assert (
        "".join(text for text, _ in pieces)
        == "See http://a.test/x, and (https://b.test/y). 见https://c.test/z。"
    )


async def test_settings_show_hostname_listeners_and_dns_identity_without_secrets(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    response = await operator_client.get("/operator/settings")

    assert response.status_code == 200
    text = response.text
    assert f'data-key="hostname">{server.settings.hostname}</dd>' in text
    assert 'data-key="imaps">127.0.0.1:0</dd>' in text
    (preference, mx), *_ = server.services.deployment.mx_hosts
    assert f'data-key="mx_hosts">{preference} {mx}</dd>' in text
    assert f'data-key="webmail_host">{server.services.deployment.webmail_host}</dd>' in text
    assert f'data-key="limits.trial_days">{server.settings.limits.trial_days}</dd>' in text
    assert f'data-key="database">{server.services.backend}</dd>' in text
    assert server.settings.effective_database_url not in text
    assert server.settings.tls.key_file not in text
