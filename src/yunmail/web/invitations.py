"""Sending an administrator invitation's link (PRODUCT §2): one wording and one path for every front door.

The admin console, the operator console and the REST API all issue invitations through
``directory.invitations`` and then call ``send_invitation`` here, so the invitee gets the same
message whoever invited them. The link goes out through the auth service's configured senders
(``auth.email``, and ``auth.sms`` when the phone is a mainland mobile number); in development they
write the outbox the operator console shows. The link is absolute, on the host the request came to
(``request.base_url``: consoles and the API are served on platform hosts only), and points at the
acceptance page (``IssuedInvitation.link_path``). Nobody knows the invitee's language yet, so each
message carries Chinese, then English.
"""

from __future__ import annotations

import datetime as dt
import math

from fastapi import Request

from yunmail import logging
from yunmail.directory import IssuedInvitation, is_sms_phone
from yunmail.web import deps

_log = logging.get("web.invitations")

_SMS = (
    "【云邮】{name}，您受邀成为「{enterprise}」的企业邮箱管理员，请在 {days} 天内打开链接接受邀请：{link}\n"
    "[Yunmail] {name}, you are invited to administer {enterprise} on Yunmail. "
    "Accept within {days} days: {link}"
)
_SUBJECT = "邀请您管理「{enterprise}」的企业邮箱 / Invitation to administer {enterprise}"
_BODY = (
    "{name}，您好：\n\n您受邀成为「{enterprise}」（企业标识 {org_id}）的企业邮箱管理员。\n\n"
    "请打开以下链接接受邀请并设置登录名和密码（有效期至 {expires}）：\n{link}\n\n"
    "如果您没有预期收到此邀请，请忽略本邮件。\n\n----\n\n"
    "Hello {name},\n\nYou are invited to become an administrator of {enterprise} "
    "(organisation identifier {org_id}) on Yunmail.\n\nOpen this link to accept and choose your "
    "login and password (valid until {expires}):\n{link}\n\nIf you did not expect this invitation, "
    "ignore this message.\n"
)


def invitation_link(request: Request, issued: IssuedInvitation) -> str:
    """The absolute acceptance link, on the host this request came to."""
    return str(request.base_url).rstrip("/") + issued.link_path


async def send_invitation(request: Request, issued: IssuedInvitation) -> None:
    """Text the link to a mainland mobile number and e-mail it; raises whatever a sender raised."""
    services = deps.services_of(request)
    invitation = issued.invitation
    enterprise = await services.directory.enterprises.get(invitation.enterprise_id)
    expires = _aware(invitation.expires_at)
    # Days left from now, not from creation: a re-issued invitation keeps its creation time.
    left = (expires - services.clock.now()).total_seconds()
    values = {
        "name": invitation.name,
        "enterprise": enterprise.name,
        "org_id": enterprise.org_id,
        "days": max(1, math.ceil(left / 86400)),
        "expires": expires.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "link": invitation_link(request, issued),
    }
    if invitation.phone and is_sms_phone(invitation.phone):
        await services.auth.sms.send_sms(invitation.phone, _SMS.format(**values))
    if invitation.email:
        await services.auth.email.send_email(
            invitation.email, _SUBJECT.format(**values), _BODY.format(**values)
        )


async def try_send_invitation(request: Request, issued: IssuedInvitation) -> bool:
    """``send_invitation``, but a gateway failure is logged and answered False, never raised.

    The invitation exists whatever happens to the message, so the caller says "not sent" and the
    inviter re-invites later (which issues a new link and sends it again).
    """
    try:
        await send_invitation(request, issued)
    except Exception:
        _log.exception("sending the link of invitation %s failed", issued.invitation.id)
        return False
    return True


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
