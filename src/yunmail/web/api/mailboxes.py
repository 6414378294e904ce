"""REST API v1: mailboxes — list, the pinyin address suggestion, open (single and batch), quota, close.

Rules are the directory's (PRODUCT §5): an address in use answers 409 ``ADDRESS_OCCUPIED``, one held
by a mailbox in the recycle bin 409 ``ADDRESS_IN_RECYCLE_BIN``, a member with a mailbox 409
``MAILBOX_ALREADY_OPEN``, no free seat 409 ``SEATS_EXHAUSTED``, a changed address 409
``MAILBOX_ADDRESS_IMMUTABLE``. Closing moves the mailbox to the recycle bin (``recycle_bin``).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request

from yunmail.directory import Mailbox
from yunmail.errors import (
    AddressInRecycleBin,
    AddressOccupied,
    DomainNotFound,
    LocalPartInvalid,
    MailboxAddressImmutable,
    MailboxAlreadyOpen,
    MailboxNotFound,
    MailboxRecycled,
    MemberNotFound,
    QuotaInvalid,
    SeatsExhausted,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params, paginate
from yunmail.web.api.schemas_mail import (
    MAX_ID,
    BatchOpen,
    BatchOpenItem,
    BatchOpenOut,
    IdPath,
    MailboxCreate,
    MailboxDetailOut,
    MailboxOut,
    MailboxPatch,
    SuggestionOut,
    display_address,
)
from yunmail.web.api.schemas_org import AUTH_RESPONSES, AdminPrincipal, doc


def router() -> APIRouter:
    r = APIRouter(tags=["mailboxes"], responses=AUTH_RESPONSES)

    @r.get(
        "/mailboxes",
        response_model=Page[MailboxOut],
        **doc(
            "List mailboxes",
            "Personal and shared mailboxes, open or in the recycle bin; filters combine.",
        ),
    )
    async def list_mailboxes(
        request: Request,
        principal: AdminPrincipal,
        status: Literal["open", "recycled", "purging"] | None = Query(None, description="Lifecycle state"),
        kind: Literal["personal", "shared"] | None = Query(None),
        domain_id: int | None = Query(None, ge=1, le=MAX_ID),
        member_id: int | None = Query(None, ge=1, le=MAX_ID),
        q: str | None = Query(None, max_length=200, description="Part of the address or display name"),
        page: PageParams = Depends(page_params),
    ) -> Page[MailboxOut]:
        found = await deps.services_of(request).directory.mailboxes.list_mailboxes(
            deps.enterprise_scope(principal), status=status, kind=kind
        )
        needle = (q or "").strip().casefold()
        chosen = [
            MailboxOut.of(m)
            for m in found
            if (domain_id is None or m.domain_id == domain_id)
            and (member_id is None or m.member_id == member_id)
            and (not needle or _matches(m, needle))
        ]
        return paginate(chosen, page)

    @r.get(
        "/members/{member_id}/mailbox/suggestion",
        response_model=SuggestionOut,
        **doc(
            "Suggest a member's mailbox address",
            "The member's name in pinyin on the domain (小明 → xiaoming@domain), or the first free "
            "`<pinyin><n>` (n = 2, 3, ...) when that is taken.",
            MemberNotFound,
            DomainNotFound,
        ),
    )
    async def suggest(
        request: Request,
        member_id: IdPath,
        principal: AdminPrincipal,
        domain_id: int = Query(..., ge=1, le=MAX_ID, examples=[1]),
    ) -> SuggestionOut:
        suggestion = await deps.services_of(request).directory.mailboxes.suggest_address(
            deps.enterprise_scope(principal), member_id, domain_id
        )
        return SuggestionOut(
            address=display_address(suggestion.address),
            ascii_address=suggestion.address,
            preferred=display_address(suggestion.preferred),
            is_preferred=suggestion.is_preferred,
        )

    @r.post(
        "/mailboxes",
        status_code=201,
        response_model=MailboxOut,
        **doc(
            "Open a member's mailbox",
            "At `local_part` on the domain (default: the name in pinyin). A member has one mailbox; "
            "one in the recycle bin must be restored or purged first.",
            LocalPartInvalid,
            MemberNotFound,
            DomainNotFound,
            AddressOccupied,
            AddressInRecycleBin,
            MailboxAlreadyOpen,
            SeatsExhausted,
        ),
    )
    async def open_mailbox(request: Request, body: MailboxCreate, principal: AdminPrincipal) -> MailboxOut:
        mailbox = await deps.services_of(request).directory.mailboxes.open(
            deps.enterprise_scope(principal),
            body.member_id,
            body.domain_id,
            deps.actor_of(principal, request),
            local_part=body.local_part,
        )
        return MailboxOut.of(mailbox)

    @r.post(
        "/mailboxes/batch",
        response_model=BatchOpenOut,
        **doc(
            "Open mailboxes for several members",
            "One domain, pinyin addresses (two people called 张三 get zhangsan and zhangsan2). Each "
            "member gets its own result: the mailbox, or the error code and message; one failure "
            "does not stop the others.",
        ),
    )
    async def open_batch(request: Request, body: BatchOpen, principal: AdminPrincipal) -> BatchOpenOut:
        results = await deps.services_of(request).directory.mailboxes.open_batch(
            deps.enterprise_scope(principal),
            body.member_ids,
            body.domain_id,
            deps.actor_of(principal, request),
        )
        items = [BatchOpenItem.of(result) for result in results]
        opened = sum(1 for item in items if item.ok)
        return BatchOpenOut(opened=opened, failed=len(items) - opened, results=items)

    @r.get(
        "/mailboxes/{mailbox_id}",
        response_model=MailboxDetailOut,
        **doc("Show a mailbox", "The mailbox with its storage usage.", MailboxNotFound),
    )
    async def get_mailbox(
        request: Request, mailbox_id: IdPath, principal: AdminPrincipal
    ) -> MailboxDetailOut:
        services = deps.services_of(request)
        mailbox = await services.directory.mailboxes.get(deps.enterprise_scope(principal), mailbox_id)
        usage = await services.mailstore.usage(mailbox.id)
        return MailboxDetailOut(
            **MailboxOut.of(mailbox).model_dump(),
            used_bytes=usage.used_bytes,
            message_count=usage.message_count,
        )

    @r.patch(
        "/mailboxes/{mailbox_id}",
        response_model=MailboxOut,
        **doc(
            "Set a mailbox's quota",
            "`quota_bytes` null = unlimited (the default). Addresses are immutable: delete and "
            "re-create the mailbox to change one (back up its mail first).",
            QuotaInvalid,
            MailboxNotFound,
            MailboxAddressImmutable,
        ),
    )
    async def patch_mailbox(
        request: Request, mailbox_id: IdPath, body: MailboxPatch, principal: AdminPrincipal
    ) -> MailboxOut:
        mailboxes = deps.services_of(request).directory.mailboxes
        enterprise_id = deps.enterprise_scope(principal)
        mailbox = await mailboxes.get(enterprise_id, mailbox_id)
        if body.address is not None:
            mailbox = await mailboxes.change_address(enterprise_id, mailbox_id, body.address)
        if "quota_bytes" in body.model_fields_set:
            mailbox = await mailboxes.set_quota(
                enterprise_id, mailbox_id, body.quota_bytes, deps.actor_of(principal, request)
            )
        return MailboxOut.of(mailbox)

    @r.post(
        "/mailboxes/{mailbox_id}/close",
        response_model=MailboxOut,
        **doc(
            "Close a mailbox",
            "It goes to the recycle bin with all its mail: restorable until the automatic purge.",
            MailboxNotFound,
            MailboxRecycled,
        ),
    )
    async def close_mailbox(request: Request, mailbox_id: IdPath, principal: AdminPrincipal) -> MailboxOut:
        mailbox = await deps.services_of(request).directory.mailboxes.close(
            deps.enterprise_scope(principal), mailbox_id, deps.actor_of(principal, request)
        )
        return MailboxOut.of(mailbox)

    return r


def _matches(mailbox: Mailbox, needle: str) -> bool:
    texts = (mailbox.address, mailbox.display_address, mailbox.display_name)
    return any(needle in text.casefold() for text in texts)
