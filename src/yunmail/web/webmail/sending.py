"""Sending and drafts from webmail: the same submission checks as SMTP, then the sender's copies.

The web send goes through ``delivery.Submission`` exactly as port 587 does (``protocols.smtp.
submission``): the From address must be one of the member's identities, each recipient is counted
against the per-message cap and routed (unknown local addresses and group addresses are resolved
there), and ``submit`` checks the From header and charges the rate windows once per message before
anything is stored. Every recipient is checked before the first message is handed over, so a typo
in the last address sends nothing. A copy goes to Sent; a draft that was sent is removed.

"Send separately" hands one message per recipient to submission (each with only that recipient in
To); the recipient cap applies to the whole list, and the whole list is checked against the rate
windows before the first message goes (a concurrent send from another client in between could
still stop it part-way: the windows have no reservation without a charge).

Drafts are stored in Drafts with ``\\Draft`` and ``\\Seen``; saving again stores the new version and
expunges the old one. Attachments already in a draft (or in a forwarded message) are carried by
reference ``"<folder id>:<uid>:<section>"`` into the member's own mailbox, never from anywhere else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import Request

from yunmail.auth import Principal
from yunmail.delivery import ClientInfo, SubmissionRecipient, SubmittedMessage, Submitter
from yunmail.errors import (
    AttachmentNotFound,
    AttachmentsTooLarge,
    FolderNotFound,
    MessageNotFound,
    NoRecipients,
    RecipientLimitExceeded,
    SenderNotAllowed,
    TooManyRecipients,
    YunmailError,
)
from yunmail.mailstore import ANSWERED, DRAFT, SEEN, SpecialUse
from yunmail.mime import (
    Address,
    OutgoingAttachment,
    OutgoingMessage,
    ParsedMessage,
    carried_attachment,
    check_header_text,
    compose,
    parse_message,
    split_recipients,
)
from yunmail.policy import SendingAccount
from yunmail.security import new_token
from yunmail.web import deps

MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024  # PRODUCT §5: 100 MB per message
FORWARDED = "$Forwarded"
_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_KEEP = re.compile(r"(\d{1,12}):(\d{1,12}):(\d{1,5}(?:\.\d{1,5}){0,20})")


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class ComposeForm:
    """The compose form's fields as typed (kept for re-display after an error)."""

    from_addr: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    subject: str = ""
    body: str = ""
    separately: bool = False
    draft: int | None = None
    keep: list[str] = field(default_factory=list)
    in_reply_to: str = ""
    references: str = ""
    reply_source: str = ""
    forward_source: str = ""


@dataclass(frozen=True, slots=True)
class KeptAttachment:
    key: str
    name: str
    size: int


def submitter_of(principal: Principal) -> Submitter:
    if principal.enterprise_id is None or principal.member_id is None:
        raise MessageNotFound()
    return Submitter(principal.enterprise_id, principal.member_id, principal.login)


async def identities(request: Request, principal: Principal) -> list[Address]:
    """The addresses the member may send as (own mailbox first), with display names."""
    services = deps.services_of(request)
    submitter = submitter_of(principal)
    found = await services.mailflow.submission.identities(submitter)
    member = await services.directory.members.get(submitter.enterprise_id, submitter.member_id)
    own = (principal.address or "").lower()
    out: list[Address] = []
    for address, identity in sorted(found.addresses.items(), key=lambda item: (item[0] != own, item[0])):
        name = member.name
        if identity.shared:
            try:
                name = (
                    await services.directory.mailboxes.get(submitter.enterprise_id, identity.mailbox_id)
                ).display_name
            except YunmailError:  # a name is cosmetic; the address is what counts
                name = ""
        local, _, domain = address.rpartition("@")
        out.append(Address(name, local, domain))
    return out


def _sender(choices: Sequence[Address], chosen: str) -> Address:
    """The identity picked in the form (the first when none was picked); SenderNotAllowed otherwise."""
    wanted = chosen.strip().lower()
    for address in choices:
        if not wanted or address.addr_spec.lower() == wanted:
            return address
    raise SenderNotAllowed(address=chosen.strip() or "<>")


def _uploads_size(uploads: Sequence[Upload], carried: Sequence[OutgoingAttachment]) -> int:
    return sum(len(u.data) for u in uploads) + sum(len(a.data) for a in carried)


def clean_upload(filename: str, content_type: str, data: bytes) -> Upload:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if ord(ch) < 32 or ch == "\x7f" else ch for ch in name).strip()[:255] or "attachment"
    kind = content_type.split(";", 1)[0].strip().lower()
    return Upload(name, kind if _TYPE.fullmatch(kind) else "application/octet-stream", data)


async def carried(request: Request, mailbox_id: int, keys: Sequence[str]) -> list[OutgoingAttachment]:
    """Attachments named ``folder:uid:section``, read from the member's own mailbox."""
    services = deps.services_of(request)
    store = services.mailstore
    loaded: dict[tuple[int, int], tuple[bytes, ParsedMessage]] = {}
    out: list[OutgoingAttachment] = []
    for key in dict.fromkeys(keys):
        match = _KEEP.fullmatch(key)
        if match is None:
            raise AttachmentNotFound()
        folder_id, uid = int(match[1]), int(match[2])
        section = tuple(int(n) for n in match[3].split("."))
        if (folder_id, uid) not in loaded:
            try:
                data = await store.read_message(mailbox_id, folder_id, uid)
            except (FolderNotFound, MessageNotFound):
                raise AttachmentNotFound() from None
            loaded[(folder_id, uid)] = (data, parse_message(data, with_text=False))
        data, parsed = loaded[(folder_id, uid)]
        if not any(a.section == section for a in parsed.attachments):
            raise AttachmentNotFound()
        out.append(carried_attachment(data, parsed, section))
    return out


def _attachments(
    uploads: Sequence[Upload], kept: Sequence[OutgoingAttachment]
) -> tuple[OutgoingAttachment, ...]:
    fresh = tuple(OutgoingAttachment(u.filename, u.content_type, u.data) for u in uploads)
    result = (*kept, *fresh)
    if _uploads_size(uploads, kept) > MAX_ATTACHMENT_BYTES:
        raise AttachmentsTooLarge(limit=MAX_ATTACHMENT_BYTES // (1024 * 1024))
    return result


def _references(form: ComposeForm) -> tuple[str | None, tuple[str, ...]]:
    check_header_text("In-Reply-To", form.in_reply_to)
    check_header_text("References", form.references)
    refs = tuple(re.findall(r"<[^<>\s]+>", form.references))
    in_reply_to = re.findall(r"<[^<>\s]+>", form.in_reply_to)
    return (in_reply_to[0] if in_reply_to else None), refs


async def _message(
    request: Request,
    principal: Principal,
    form: ComposeForm,
    uploads: Sequence[Upload],
    *,
    lenient: bool,
) -> OutgoingMessage:
    services = deps.services_of(request)
    check_header_text("subject", form.subject)
    to = split_recipients(form.to, "to", lenient=lenient)
    cc = split_recipients(form.cc, "cc", lenient=lenient)
    bcc = split_recipients(form.bcc, "bcc", lenient=lenient)
    sender = _sender(await identities(request, principal), form.from_addr)
    kept = await carried(request, principal.require_mailbox(), form.keep)
    in_reply_to, references = _references(form)
    return OutgoingMessage(
        from_=sender,
        to=to,
        cc=cc,
        bcc=bcc,
        subject=form.subject,
        text=form.body,
        attachments=_attachments(uploads, kept),
        in_reply_to=in_reply_to,
        references=references,
        date=services.clock.now(),
        draft_fields={"to": form.to, "cc": form.cc, "bcc": form.bcc} if lenient else {},
    )


# --- sending -----------------------------------------------------------------------------------------


async def send(
    request: Request, principal: Principal, form: ComposeForm, uploads: Sequence[Upload], *, client_ip: str
) -> str:
    """Send the form's message; returns the flash key (``sent`` or ``sent_separately``)."""
    services = deps.services_of(request)
    message = await _message(request, principal, form, uploads, lenient=False)
    if not message.recipients:
        raise NoRecipients()
    submission = services.mailflow.submission
    submitter = submitter_of(principal)
    ids = await submission.identities(submitter)
    submission.check_sender(ids, message.from_.addr_spec)
    limits = await submission.limits(submitter)
    routed: list[SubmissionRecipient] = []
    for count, address in enumerate(message.recipients, start=1):
        try:
            submission.check_recipient_count(count, limits)
        except TooManyRecipients:
            raise RecipientLimitExceeded(limit=limits.max_recipients) from None
        routed.append(await submission.check_recipient(submitter, address.addr_spec))
    client = ClientInfo(ip=client_ip, helo="webmail", tls=None, login=submitter.login)
    composed = compose(message)
    if form.separately and len(routed) > 1:
        # One message per recipient, each charged on its own: first make sure the whole list fits
        # in the member's sending windows now, so that a limit does not stop the sending half-way.
        identity = submission.check_sender(ids, message.from_.addr_spec)
        account = SendingAccount(
            enterprise_id=submitter.enterprise_id,
            member_id=submitter.member_id,
            shared_mailbox_id=identity.mailbox_id if identity.shared else None,
        )
        policy = services.mailflow.policy
        await policy.refund(await policy.consume(account, len(routed), limits))
        for address, recipient in zip(message.recipients, routed, strict=True):
            single = compose(dataclasses.replace(message, to=(address,), cc=(), bcc=(), message_id=None))
            await submission.submit(submitter, _submitted(single.data, message, (recipient,), client))
    else:
        await submission.submit(submitter, _submitted(composed.data, message, tuple(routed), client))
    await _after_send(request, principal, form, composed.stored)
    return "sent_separately" if form.separately and len(routed) > 1 else "sent"


def _submitted(
    data: bytes, message: OutgoingMessage, recipients: tuple[SubmissionRecipient, ...], client: ClientInfo
) -> SubmittedMessage:
    return SubmittedMessage(
        data=data,
        mail_from=message.from_.addr_spec,
        recipients=recipients,
        client=client,
        trace_id=new_token(9),
    )


async def _after_send(request: Request, principal: Principal, form: ComposeForm, stored: bytes) -> None:
    services = deps.services_of(request)
    store = services.mailstore
    mailbox_id = principal.require_mailbox()
    await store.ingest(mailbox_id, stored, folder=SpecialUse.SENT, flags=[SEEN])
    if form.draft is not None:
        await _drop(request, mailbox_id, form.draft)
    for source, flag in ((form.reply_source, ANSWERED), (form.forward_source, FORWARDED)):
        match = re.fullmatch(r"(\d{1,12}):(\d{1,12})", source)
        if match is not None:
            # The original may have been moved or deleted meanwhile: then there is nothing to mark.
            with contextlib.suppress(FolderNotFound, MessageNotFound):
                await store.set_flags(mailbox_id, int(match[1]), [int(match[2])], [flag])


async def _drop(request: Request, mailbox_id: int, uid: int) -> None:
    services = deps.services_of(request)
    with contextlib.suppress(FolderNotFound, MessageNotFound):
        await services.mailstore.expunge(mailbox_id, SpecialUse.DRAFTS, [uid], only_deleted=False)


async def discard_draft(request: Request, principal: Principal, uid: int) -> None:
    await _drop(request, principal.require_mailbox(), uid)


# --- drafts ------------------------------------------------------------------------------------------


async def save_draft(
    request: Request, principal: Principal, form: ComposeForm, uploads: Sequence[Upload]
) -> tuple[int, list[KeptAttachment]]:
    """Store the form as the current draft (replacing the previous version); its UID and attachments."""
    services = deps.services_of(request)
    message = await _message(request, principal, form, uploads, lenient=True)
    composed = compose(message)
    mailbox_id = principal.require_mailbox()
    result = await services.mailstore.ingest(
        mailbox_id, composed.stored, folder=SpecialUse.DRAFTS, flags=[DRAFT, SEEN]
    )
    if form.draft is not None and form.draft != result.uid:
        await _drop(request, mailbox_id, form.draft)
    return result.uid, kept_attachments(result.folder_id, result.uid, composed.stored)


def kept_attachments(folder_id: int, uid: int, data: bytes) -> list[KeptAttachment]:
    parsed = parse_message(data, with_text=False)
    return [
        KeptAttachment(
            key=f"{folder_id}:{uid}:{'.'.join(str(n) for n in a.section)}",
            name=a.filename or "attachment",
            size=a.approx_decoded_size,
        )
        for a in parsed.attachments
    ]
