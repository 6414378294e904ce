"""Request and response models of the REST API's organisation half: enterprises, departments, members,
administrators and invitations, audit log and API tokens (the import's are in ``imports``); plus the
shared pieces every router uses: principals, id types and the OpenAPI error documentation.

Request models keep field types loose where a service rule decides (role, staff type, dates, phone
numbers are plain strings), so a bad value gets the rule's own catalogue code (``ROLE_INVALID``,
``HIRE_DATE_INVALID``...) rather than a generic schema error. Models that change things forbid
unknown fields: a typo must not silently do nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from yunmail.auth import LockStatus, Principal
from yunmail.directory import (
    Administrator,
    AdministratorEntry,
    AuditEntry,
    Department,
    DepartmentNode,
    Enterprise,
    Invitation,
    Member,
)
from yunmail.errors import (
    CsrfRejected,
    PortalForbidden,
    SessionExpired,
    SessionInvalid,
    YunmailError,
)
from yunmail.web import deps

if TYPE_CHECKING:
    from yunmail.auth import ApiToken
    from yunmail.policy import SendingLimits

AdminPrincipal = Annotated[Principal, Depends(deps.administrator)]
OperatorPrincipal = Annotated[Principal, Depends(deps.operator)]

# Ids are 64-bit in the database: a larger number must be INVALID_INPUT, not a driver error (500).
MAX_ID = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Object id", examples=[1])]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# --- errors in the OpenAPI document ----------------------------------------------------------------


class ErrorOut(BaseModel):
    """Every error: a stable catalogue ``code`` and a message in the request's language."""

    code: str
    message: str


def error_responses(*errors: type[YunmailError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses``: one entry per HTTP status, listing the codes that may come with it."""
    by_status: dict[int, list[str]] = {}
    for error in errors:
        codes = by_status.setdefault(error.http_status, [])
        if error.code not in codes:
            codes.append(error.code)
    return {
        status: {"model": ErrorOut, "description": "Error codes: " + ", ".join(f"`{c}`" for c in codes)}
        for status, codes in sorted(by_status.items())
    }


def doc(
    summary: str,
    description: str,
    *errors: type[YunmailError],
    responses: Mapping[int | str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Route keyword arguments: summary, a description ending with the error codes, and ``responses``
    (the errors' plus any given, e.g. a non-JSON success body)."""
    listed = "".join(f"\n- `{e.code}` ({e.http_status}): {e.en}" for e in errors)
    return {
        "summary": summary,
        "description": description + (f"\n\nErrors:{listed}" if listed else ""),
        "responses": {**error_responses(*errors), **(responses or {})},
    }


# Errors any administrator route can answer before it runs (no/expired session, wrong portal, CSRF);
# the API-token errors are documented by the tokens module's router.
AUTH_ERRORS: tuple[type[YunmailError], ...] = (SessionInvalid, SessionExpired, PortalForbidden, CsrfRejected)
AUTH_RESPONSES = error_responses(*AUTH_ERRORS)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- enterprises --------------------------------------------------------------------------------------


class SendingLimitsOut(BaseModel):
    daily_send_limit: int = Field(description="Recipients a member may send to per day")
    burst_send_limit: int = Field(description="Recipients a member may send to per 15 minutes")
    max_recipients: int = Field(description="Recipients (To + Cc + Bcc) per message")
    shared_daily_send_limit: int = Field(description="Recipients a shared mailbox may send to per day")

    @classmethod
    def of(cls, limits: SendingLimits) -> SendingLimitsOut:
        return cls(
            daily_send_limit=limits.daily_limit,
            burst_send_limit=limits.burst_limit,
            max_recipients=limits.max_recipients,
            shared_daily_send_limit=limits.shared_daily_limit,
        )


class EnterpriseSettingsOut(BaseModel):
    sending_limits: SendingLimitsOut = Field(description="The limits in force (enterprise value or default)")
    ceilings: SendingLimitsOut = Field(description="The platform's limits: the highest values allowed")
    require_client_passwords: bool = Field(
        description="Mail programs (IMAP/POP3/SMTP) must use client passwords, never the account password"
    )
    overrides: dict[str, Any] = Field(description="The enterprise's own stored settings")


class SubscriptionOut(BaseModel):
    trial: bool
    trial_ends_at: dt.datetime | None
    trial_days_left: int | None = Field(description="Whole days left, rounded up; 0 = ended")
    seats: int | None = Field(description="Mailboxes the subscription allows; null = unlimited")
    seats_used: int = Field(description="Open mailboxes (personal and shared)")


class EnterpriseSummaryOut(BaseModel):
    id: int
    name: str
    org_id: str
    status: str
    seats: int | None
    trial_ends_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def of(cls, e: Enterprise) -> EnterpriseSummaryOut:
        return cls(
            id=e.id,
            name=e.name,
            org_id=e.org_id,
            status=e.status,
            seats=e.seats,
            trial_ends_at=e.trial_ends_at,
            created_at=e.created_at,
        )


class EnterpriseOut(BaseModel):
    id: int
    name: str
    org_id: str
    status: str
    created_at: dt.datetime
    subscription: SubscriptionOut
    settings: EnterpriseSettingsOut

    @classmethod
    def of(
        cls,
        e: Enterprise,
        *,
        now: dt.datetime,
        seats_used: int,
        limits: SendingLimits,
        ceilings: SendingLimits,
    ) -> EnterpriseOut:
        days_left = None
        if e.trial_ends_at is not None:
            days_left = max(0, math.ceil((e.trial_ends_at - now) / dt.timedelta(days=1)))
        return cls(
            id=e.id,
            name=e.name,
            org_id=e.org_id,
            status=e.status,
            created_at=e.created_at,
            subscription=SubscriptionOut(
                trial=e.trial_ends_at is not None,
                trial_ends_at=e.trial_ends_at,
                trial_days_left=days_left,
                seats=e.seats,
                seats_used=seats_used,
            ),
            settings=EnterpriseSettingsOut(
                sending_limits=SendingLimitsOut.of(limits),
                ceilings=SendingLimitsOut.of(ceilings),
                require_client_passwords=e.settings.get("require_client_passwords") is True,
                overrides=dict(e.settings),
            ),
        )


class SettingsPatch(_Input):
    """Only the fields sent change; ``null`` returns a limit to the platform default."""

    daily_send_limit: int | None = Field(default=None, strict=True)
    burst_send_limit: int | None = Field(default=None, strict=True)
    max_recipients: int | None = Field(default=None, strict=True)
    shared_daily_send_limit: int | None = Field(default=None, strict=True)
    require_client_passwords: bool | None = Field(default=None, strict=True)


class IdentityPatch(_Input):
    """Name and organisation identifier are immutable: only their current values are accepted."""

    name: str | None = None
    org_id: str | None = None


class DissolveRequestOut(BaseModel):
    channels: list[Literal["sms", "email"]] = Field(
        description="Where the confirmation code went: the requesting administrator's mainland mobile "
        "number and/or e-mail address"
    )
    expires_at: dt.datetime = Field(description="Send the code to POST /enterprise/dissolve before this")


class DissolveIn(_Input):
    code: str | None = Field(default=None, description="The confirmation code sent by SMS/e-mail")


class InvitationCreate(_Input):
    name: str
    phone: str | None = None
    email: str | None = Field(default=None, description="Required: the new administrator's default login")
    valid_days: int = Field(default=7, description="1-30 days")


class InvitationOut(BaseModel):
    id: int
    name: str
    phone: str | None
    email: str | None
    invited_by: str
    status: Literal["pending", "accepted", "expired", "revoked"]
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None
    revoked_at: dt.datetime | None
    administrator_id: int | None

    @classmethod
    def of(cls, i: Invitation) -> InvitationOut:
        return cls(
            id=i.id,
            name=i.name,
            phone=i.phone,
            email=i.email,
            invited_by=i.invited_by,
            status=i.status,  # type: ignore[arg-type]  # the service computes one of the four
            created_at=i.created_at,
            expires_at=i.expires_at,
            accepted_at=i.accepted_at,
            revoked_at=i.revoked_at,
            administrator_id=i.administrator_id,
        )


class IssuedInvitationOut(BaseModel):
    invitation: InvitationOut
    sent: bool = Field(
        description="The link went out by e-mail (and SMS to a mainland mobile number); false: a sender "
        "failed, re-invite later. The link itself is never returned: only the invitee sees it"
    )


class InvitationAcceptIn(_Input):
    token: str = Field(description="The token at the end of the invitation link")
    password: str
    login: str | None = Field(default=None, description="3-254 characters; default: the invitation's e-mail")


class EnterpriseCreate(_Input):
    name: str
    org_id: str = Field(description="2-32 lower-case letters, digits and '-', starting with a letter")
    administrator: InvitationCreate | None = Field(default=None, description="Invite a first administrator")


class EnterpriseCreatedOut(BaseModel):
    enterprise: EnterpriseSummaryOut
    invitation: IssuedInvitationOut | None


# --- departments ------------------------------------------------------------------------------------


class DepartmentOut(BaseModel):
    id: int
    name: str
    parent_id: int | None = Field(description="null = directly under the enterprise")
    created_at: dt.datetime

    @classmethod
    def of(cls, d: Department) -> DepartmentOut:
        return cls(id=d.id, name=d.name, parent_id=d.parent_id, created_at=d.created_at)


class DepartmentNodeOut(DepartmentOut):
    children: list[DepartmentNodeOut]

    @classmethod
    def of_node(cls, node: DepartmentNode) -> DepartmentNodeOut:
        d = node.department
        return cls(
            id=d.id,
            name=d.name,
            parent_id=d.parent_id,
            created_at=d.created_at,
            children=[cls.of_node(c) for c in node.children],
        )


class DepartmentTreeOut(BaseModel):
    items: list[DepartmentNodeOut] = Field(description="Departments under the enterprise root")


class DepartmentCreate(_Input):
    name: str
    parent_id: Id | None = None


class DepartmentPatch(_Input):
    """``name`` renames; ``parent_id`` moves (``null`` = under the enterprise root)."""

    name: str | None = None
    parent_id: Id | None = None


# --- members ----------------------------------------------------------------------------------------


class MemberOut(BaseModel):
    id: int
    name: str
    account: str
    login: str = Field(description="account@organisation-identifier")
    department_id: int | None
    phone: str | None
    contact_email: str | None
    role: str = Field(description="A label only (member / administrator); grants no admin rights")
    staff_type: str
    hire_date: dt.date | None
    status: Literal["active", "disabled"]
    must_change_password: bool
    has_password: bool
    mailbox: str | None = Field(description="Address of the member's open mailbox")
    created_at: dt.datetime

    @classmethod
    def of(cls, m: Member, org_id: str, mailbox: str | None) -> MemberOut:
        return cls(
            id=m.id,
            name=m.name,
            account=m.account,
            login=f"{m.account}@{org_id}",
            department_id=m.department_id,
            phone=m.phone,
            contact_email=m.contact_email,
            role=m.role,
            staff_type=m.staff_type,
            hire_date=m.hire_date,
            status=m.status,  # type: ignore[arg-type]  # a stored status is one of the two
            must_change_password=m.must_change_password,
            has_password=m.has_password,
            mailbox=mailbox,
            created_at=m.created_at,
        )


class LockOut(BaseModel):
    locked: bool
    locked_until: dt.datetime | None
    failures: int = Field(description="Failed logins in the current window")

    @classmethod
    def of(cls, status: LockStatus) -> LockOut:
        return cls(locked=status.locked, locked_until=status.locked_until, failures=status.failures)


class MemberDetailOut(MemberOut):
    lock: LockOut


class MemberCreate(_Input):
    name: str
    account: str = Field(description="1-20 letters, digits, _ . -; unique, cannot change later")
    password: str | None = Field(default=None, description="Changed at first login; omit for SMS login")
    phone: str | None = None
    contact_email: str | None = None
    department_id: Id | None = None
    role: str = "member"
    staff_type: str = Field(default="regular", description="regular / intern / dispatched / outsourced")
    hire_date: str | None = Field(default=None, description="YYYY/MM/DD (or YYYY-MM-DD)")


class MemberPatch(_Input):
    """Only the fields sent change; ``null`` clears department, phone, contact e-mail or hire date."""

    account: str | None = Field(default=None, description="Immutable: only the current value is accepted")
    name: str | None = None
    department_id: Id | None = None
    phone: str | None = None
    contact_email: str | None = None
    role: str | None = None
    staff_type: str | None = None
    hire_date: str | None = None


class PasswordIn(_Input):
    password: str


class BulkIn(_Input):
    action: Literal["disable", "enable", "delete"]
    ids: list[Id] = Field(min_length=1, max_length=500)


class BulkResultOut(BaseModel):
    id: int
    ok: bool
    code: str | None = None
    message: str | None = None


class BulkOut(BaseModel):
    action: str
    succeeded: int
    failed: int
    results: list[BulkResultOut]


# --- administrators ---------------------------------------------------------------------------------


class AdministratorOut(BaseModel):
    id: int
    name: str
    phone: str | None
    email: str | None
    login: str
    status: Literal["active", "disabled"]
    created_at: dt.datetime

    @classmethod
    def of(cls, a: Administrator) -> AdministratorOut:
        return cls(
            id=a.id,
            name=a.name,
            phone=a.phone,
            email=a.email,
            login=a.login,
            status=a.status,  # type: ignore[arg-type]  # a stored status is one of the two
            created_at=a.created_at,
        )


class AdministratorEntryOut(BaseModel):
    """An administrator (``active``/``disabled``) or an invitation not accepted (``pending``/``expired``)."""

    status: Literal["active", "disabled", "pending", "expired"]
    name: str
    phone: str | None
    email: str | None
    administrator: AdministratorOut | None
    invitation: InvitationOut | None

    @classmethod
    def of(cls, e: AdministratorEntry) -> AdministratorEntryOut:
        return cls(
            status=e.status,  # type: ignore[arg-type]  # the service builds one of the four
            name=e.name,
            phone=e.phone,
            email=e.email,
            administrator=AdministratorOut.of(e.administrator) if e.administrator else None,
            invitation=InvitationOut.of(e.invitation) if e.invitation else None,
        )


class ReinviteIn(_Input):
    valid_days: int = Field(default=7, description="1-30 days")


# --- audit and tokens -------------------------------------------------------------------------------


class AuditEntryOut(BaseModel):
    id: int
    actor: str = Field(description="kind:login@address")
    action: str
    target: str
    detail: dict[str, Any]
    created_at: dt.datetime

    @classmethod
    def of(cls, a: AuditEntry) -> AuditEntryOut:
        return cls(
            id=a.id,
            actor=a.actor,
            action=a.action,
            target=a.target,
            detail=_plain(a.detail),
            created_at=a.created_at,
        )


class AuditListOut(BaseModel):
    items: list[AuditEntryOut] = Field(description="Newest first")
    limit: int


class TokenOut(BaseModel):
    id: int
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    last_used_ip: str | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, t: ApiToken) -> TokenOut:
        return cls(
            id=t.id,
            label=t.label,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            last_used_ip=t.last_used_ip,
            revoked_at=t.revoked_at,
        )


class TokenCreate(_Input):
    label: str


class TokenCreatedOut(BaseModel):
    token: TokenOut
    secret: str = Field(description="Use as 'Authorization: Bearer <secret>'; shown this once only")


def _plain(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: dict(v) if isinstance(v, Mapping) else v for k, v in value.items()}
