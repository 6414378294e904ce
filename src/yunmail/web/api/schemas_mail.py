"""REST API v1 request and response bodies of the mail half: mailboxes, recycle bin, groups, shared mailboxes,
aliases and domains.

Conventions: addresses and domain names are shown as people read them (U-label domains); the stored
A-label form travels next to them (``ascii_address``, ``ascii_name``) for scripts that talk DNS or
SMTP. Every request field carries an example: the OpenAPI document is what schemathesis and the
tenant-isolation test build their requests from. Names refuse control characters here, at the front
door, because PostgreSQL cannot store NUL and nobody means to type them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from yunmail.directory import (
    Alias,
    BatchOpenResult,
    Group,
    Mailbox,
    RecycledMailbox,
    SharedMailbox,
)
from yunmail.domains import Domain, to_unicode
from yunmail.web.api.schemas_org import ErrorOut

# Ids are positive 64-bit integers (BigInteger on PostgreSQL, rowid on SQLite); anything larger is
# refused as invalid input instead of overflowing the database driver.
MAX_ID = 2**63 - 1
MAX_BYTES = 2**63 - 1
MAX_BATCH = 500

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Object id", examples=[1])]
Id = Annotated[int, Field(ge=1, le=MAX_ID, examples=[1])]
LocalPart = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="The address before '@': letters, digits, '-', '_', '.' (stored lower-case)",
        examples=["xiaoming"],
    ),
]
DisplayText = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$", examples=["Human Resources"]),
]
AddressText = Annotated[
    str,
    Field(
        min_length=3,
        max_length=320,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="An e-mail address",
        examples=["partner@example.org"],
    ),
]


def display_address(canonical: str) -> str:
    """A stored address (A-label domain) as shown to people."""
    local, _, domain = canonical.partition("@")
    return f"{local}@{to_unicode(domain)}"


# --- errors --------------------------------------------------------------------------------------


class DomainErrorOut(ErrorOut):
    """Domain input errors say what to do: the corrected ``suggestion`` or the ``domain_id`` added."""

    suggestion: str | None = Field(default=None, examples=["example.com"])
    domain_id: int | None = Field(default=None, examples=[7])


# --- mailboxes -----------------------------------------------------------------------------------


class MailboxOut(BaseModel):
    id: int
    member_id: int | None = Field(description="Owner; null for shared mailboxes and deleted members")
    domain_id: int
    address: str = Field(description="As shown to people (U-label domain)", examples=["xiaoming@例子.中国"])
    ascii_address: str = Field(examples=["xiaoming@xn--fsqu00a.xn--fiqs8s"])
    kind: Literal["personal", "shared"]
    display_name: str
    status: Literal["open", "recycled", "purging"]
    recycled_at: dt.datetime | None
    quota_bytes: int | None = Field(description="null = unlimited")
    created_at: dt.datetime

    @classmethod
    def of(cls, mailbox: Mailbox) -> MailboxOut:
        return cls(
            id=mailbox.id,
            member_id=mailbox.member_id,
            domain_id=mailbox.domain_id,
            address=mailbox.display_address,
            ascii_address=mailbox.address,
            kind=mailbox.kind,  # type: ignore[arg-type]
            display_name=mailbox.display_name,
            status=mailbox.status,  # type: ignore[arg-type]
            recycled_at=mailbox.recycled_at,
            quota_bytes=mailbox.quota_bytes,
            created_at=mailbox.created_at,
        )


class MailboxDetailOut(MailboxOut):
    used_bytes: int = Field(description="Bytes of mail stored")
    message_count: int


class MailboxCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: Id
    domain_id: Id
    local_part: LocalPart | None = Field(
        default=None, description="Default: the member's name in pinyin (see the suggestion route)"
    )


class MailboxPatch(BaseModel):
    """Only the quota can change; restating the mailbox's own address is accepted, any other is refused."""

    model_config = ConfigDict(extra="forbid")

    quota_bytes: Annotated[int, Field(ge=0, le=MAX_BYTES)] | None = Field(
        default=None, description="Bytes; null = unlimited", examples=[1073741824]
    )
    address: AddressText | None = Field(
        default=None, description="Addresses are immutable (MAILBOX_ADDRESS_IMMUTABLE)"
    )


class SuggestionOut(BaseModel):
    address: str = Field(description="The free address to propose", examples=["zhangsan2@example.com"])
    ascii_address: str
    preferred: str = Field(description="The plain pinyin address", examples=["zhangsan@example.com"])
    is_preferred: bool


class BatchOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_ids: list[Id] = Field(min_length=1, max_length=MAX_BATCH, examples=[[1, 2]])
    domain_id: Id


class BatchOpenItem(BaseModel):
    member_id: int
    ok: bool
    address: str | None = Field(description="The address used (or tried)")
    mailbox: MailboxOut | None
    error: ErrorOut | None

    @classmethod
    def of(cls, result: BatchOpenResult) -> BatchOpenItem:
        error = (
            ErrorOut(code=result.error_code, message=result.error or result.error_code)
            if result.error_code
            else None
        )
        return cls(
            member_id=result.member_id,
            ok=result.ok,
            address=display_address(result.address) if result.address else None,
            mailbox=MailboxOut.of(result.mailbox) if result.mailbox else None,
            error=error,
        )


class BatchOpenOut(BaseModel):
    opened: int
    failed: int
    results: list[BatchOpenItem]


# --- recycle bin ---------------------------------------------------------------------------------


class RecycledOut(BaseModel):
    mailbox: MailboxOut
    member_name: str | None = Field(description="null when the member was deleted")
    purge_at: dt.datetime
    days_left: int = Field(description="Whole days before the automatic purge; 0 = due")

    @classmethod
    def of(cls, item: RecycledMailbox) -> RecycledOut:
        return cls(
            mailbox=MailboxOut.of(item.mailbox),
            member_name=item.member_name,
            purge_at=item.purge_at,
            days_left=item.days_left,
        )


class RestoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: Id | None = Field(
        default=None, description="Give the mailbox of a deleted member to this member (without a mailbox)"
    )


# --- groups --------------------------------------------------------------------------------------


class GroupOut(BaseModel):
    id: int
    domain_id: int
    address: str
    ascii_address: str
    name: str
    member_ids: list[int]
    addresses: list[str] = Field(description="Other addresses on the list (outside or hosted)")
    created_at: dt.datetime

    @classmethod
    def of(cls, group: Group) -> GroupOut:
        return cls(
            id=group.id,
            domain_id=group.domain_id,
            address=display_address(group.address),
            ascii_address=group.address,
            name=group.name,
            member_ids=list(group.member_ids),
            addresses=[display_address(a) for a in group.addresses],
            created_at=group.created_at,
        )


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain_id: Id
    local_part: LocalPart
    name: DisplayText
    member_ids: list[Id] = Field(default_factory=list, max_length=MAX_BATCH)
    addresses: list[AddressText] = Field(default_factory=list, max_length=MAX_BATCH)


class MemberRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: Id


class AddressRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: AddressText


# --- shared mailboxes ----------------------------------------------------------------------------


class SharedMailboxOut(BaseModel):
    mailbox: MailboxOut
    member_ids: list[int] = Field(description="Members who use the shared mailbox")

    @classmethod
    def of(cls, shared: SharedMailbox) -> SharedMailboxOut:
        return cls(mailbox=MailboxOut.of(shared.mailbox), member_ids=list(shared.member_ids))


class SharedMailboxCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain_id: Id
    local_part: LocalPart
    name: DisplayText
    member_ids: list[Id] = Field(default_factory=list, max_length=MAX_BATCH)


# --- aliases -------------------------------------------------------------------------------------


class AliasOut(BaseModel):
    id: int
    mailbox_id: int
    domain_id: int
    address: str
    ascii_address: str
    created_at: dt.datetime

    @classmethod
    def of(cls, alias: Alias) -> AliasOut:
        return cls(
            id=alias.id,
            mailbox_id=alias.mailbox_id,
            domain_id=alias.domain_id,
            address=display_address(alias.address),
            ascii_address=alias.address,
            created_at=alias.created_at,
        )


class AliasCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mailbox_id: Id
    domain_id: Id
    local_part: LocalPart


# --- domains -------------------------------------------------------------------------------------

Mode = Literal["full", "ownership"]


class DomainOut(BaseModel):
    id: int
    name: str = Field(description="As shown to people (U-label)", examples=["例子.中国"])
    ascii_name: str = Field(description="A-label, as used in DNS", examples=["xn--fsqu00a.xn--fiqs8s"])
    mode: Mode
    state: Literal["pending", "ownership-verified", "verified", "broken"]
    ownership_token: str = Field(description="Value of the _dnsauth TXT record (ownership mode)")
    created_at: dt.datetime
    verified_at: dt.datetime | None
    checked_at: dt.datetime | None
    next_check_at: dt.datetime | None = Field(description="null: not rechecked in the background")
    reason: list[dict[str, Any]] = Field(description="Failing required records of the last check")

    @classmethod
    def of(cls, domain: Domain) -> DomainOut:
        return cls(
            id=domain.id,
            name=domain.display_name,
            ascii_name=domain.name,
            mode=domain.mode,  # type: ignore[arg-type]
            state=domain.state,  # type: ignore[arg-type]
            ownership_token=domain.ownership_token,
            created_at=domain.created_at,
            verified_at=domain.verified_at,
            checked_at=domain.checked_at,
            next_check_at=domain.next_check_at,
            reason=domain.reason,
        )


class DomainCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=512, examples=["example.com"])
    mode: Mode = "full"


class DomainPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Mode = Field(examples=["ownership"])


class RecordOut(BaseModel):
    """One record to publish; the fields of ``yunmail domain records --json`` plus the panel ``label``."""

    type: str = Field(examples=["MX"])
    host: str = Field(description="Absolute A-label name", examples=["example.com"])
    label: str = Field(description="Host as typed into a DNS panel ('@' = apex)", examples=["@"])
    value: str = Field(examples=["10 mx1.mail.example.net"])
    ttl: int
    purpose: str = Field(examples=["mx"])
    required: bool


class TextOut(BaseModel):
    en: str
    zh: str


class FindingOut(TextOut):
    code: str = Field(examples=["MX_MISSING"])


class RecordStatusOut(BaseModel):
    type: str
    host: str
    label: str
    purpose: str
    required: bool
    state: str = Field(examples=["ok"])
    expected: str
    found: list[str]
    errors: list[FindingOut]
    warnings: list[FindingOut]
    instructions: list[TextOut]


class CheckOut(BaseModel):
    """A live check: the same document as ``yunmail domain check --json``."""

    domain: str
    mode: Mode
    state: Literal["verified", "unverified", "unknown"] = Field(description="This check's verdict")
    zone: str
    nameservers: list[str]
    errors: list[FindingOut]
    warnings: list[FindingOut]
    instructions: list[TextOut]
    records: list[RecordStatusOut]
    domain_state: str = Field(description="The domain's state after the check")
    previous_state: str
    checked_at: str | None
    next_check_at: str | None
    reason: list[dict[str, Any]]


class QuickAddIn(BaseModel):
    """Write the records into your own DNS server by RFC 2136 UPDATE signed with a TSIG key."""

    model_config = ConfigDict(extra="forbid")

    server: str = Field(
        min_length=2, max_length=45, description="Primary server's IP address", examples=["192.0.2.53"]
    )
    port: int = Field(default=53, ge=1, le=65535)
    zone: str = Field(min_length=1, max_length=253, examples=["example.com"])
    tsig_name: str = Field(min_length=1, max_length=253, examples=["yunmail-update."])
    tsig_secret: str = Field(min_length=1, max_length=512, description="base64", examples=["c2VjcmV0"])
    tsig_algorithm: Literal["hmac-sha256", "hmac-sha384", "hmac-sha512"] = "hmac-sha256"


class QuickAddItem(BaseModel):
    type: str
    host: str
    value: str
    ttl: int
    purpose: str
    required: bool
    status: str = Field(description="added | outside-zone | a DNS rcode | timeout | error")
    ok: bool
    detail: str


__all__ = [
    "MAX_ID",
    "AddressRef",
    "AliasCreate",
    "AliasOut",
    "BatchOpen",
    "BatchOpenItem",
    "BatchOpenOut",
    "CheckOut",
    "DomainCreate",
    "DomainErrorOut",
    "DomainOut",
    "DomainPatch",
    "GroupCreate",
    "GroupOut",
    "IdPath",
    "MailboxCreate",
    "MailboxDetailOut",
    "MailboxOut",
    "MailboxPatch",
    "MemberRef",
    "QuickAddIn",
    "QuickAddItem",
    "RecordOut",
    "RecordStatusOut",
    "RecycledOut",
    "RestoreIn",
    "SharedMailboxCreate",
    "SharedMailboxOut",
    "SuggestionOut",
    "display_address",
]
