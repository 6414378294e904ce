"""All tables, as SQLAlchemy Core metadata; Alembic migrations are generated from and checked against it.

Groups: tenants (enterprises, departments, members, administrators, invitations, audit), domains,
addresses (one table reserving every address: mailbox, alias, group), mail store (mailboxes,
folders, messages, tombstones, blobs, search text), outbound mail (queue) and infrastructure (counters).

Conventions: integer surrogate keys; every tenant row carries ``enterprise_id``; times are stored as
timezone-aware UTC; JSON columns hold cached, rebuildable data or small settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# BigInteger ids on PostgreSQL, INTEGER PRIMARY KEY (rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


Timestamp = UtcDateTime()


def _id() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


def _enterprise_fk() -> Column[int]:
    return Column("enterprise_id", Id, ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False)


# --- tenants -------------------------------------------------------------------------------------

enterprises = Table(
    "enterprises",
    metadata,
    _id(),
    Column("name", String(100), nullable=False),
    Column("org_id", String(32), nullable=False, unique=True),
    Column("status", String(16), nullable=False, default="active"),
    Column("settings", JSON, nullable=False, default=dict),
    Column("seats", Integer, nullable=True),  # None = unlimited (no subscription module yet)
    Column("trial_ends_at", Timestamp, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    # Second confirmation of "dissolve": only the token's hash is kept, with its expiry.
    Column("dissolve_token_hash", String(64), nullable=True),
    Column("dissolve_expires_at", Timestamp, nullable=True),
)

departments = Table(
    "departments",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("parent_id", Id, ForeignKey("departments.id", ondelete="RESTRICT"), nullable=True),
    Column("name", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    # Sibling names are unique case-insensitively; parent_key = parent_id or 0 because a unique
    # constraint treats NULL parents (the root level) as all distinct.
    Column("parent_key", Id, nullable=False, default=0),
    Column("name_key", String(64), nullable=False),
    Index(None, "enterprise_id", "parent_id"),
    UniqueConstraint("enterprise_id", "parent_key", "name_key"),
)

members = Table(
    "members",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("department_id", Id, ForeignKey("departments.id", ondelete="RESTRICT"), nullable=True),
    Column("name", String(64), nullable=False),
    Column("account", String(20), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("contact_email", String(254), nullable=True),
    Column("role_label", String(16), nullable=False, default="member"),
    Column("staff_type", String(16), nullable=False, default="regular"),
    Column("hire_date", Date, nullable=True),
    Column("status", String(16), nullable=False, default="active"),
    Column("password_hash", String(200), nullable=True),
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("session_keep_minutes", Integer, nullable=False, default=30),
    Column("pop3_delete", Boolean, nullable=False, default=False),
    Column("settings", JSON, nullable=False, default=dict),
    Column("created_at", Timestamp, nullable=False),
    Column("account_key", String(20), nullable=False),  # lower-cased account: unique case-insensitively
    UniqueConstraint("enterprise_id", "account"),
    UniqueConstraint("enterprise_id", "account_key"),
    UniqueConstraint("enterprise_id", "phone"),
    Index(None, "enterprise_id", "department_id"),
)

administrators = Table(
    "administrators",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("name", String(64), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("email", String(254), nullable=True),
    Column("login", String(254), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=True),
    Column("totp_secret", String(64), nullable=True),
    Column("status", String(16), nullable=False, default="active"),
    Column("created_at", Timestamp, nullable=False),
    Index(None, "enterprise_id"),
)

invitations = Table(
    "invitations",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("name", String(64), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("email", String(254), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("invited_by", String(254), nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("accepted_at", Timestamp, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp, nullable=True),
    # The administrator the accepted invitation created (kept for the audit trail).
    Column("administrator_id", Id, ForeignKey("administrators.id", ondelete="SET NULL"), nullable=True),
    Index(None, "enterprise_id", "created_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    Column("enterprise_id", Id, nullable=True, index=True),  # None = platform-level action
    Column("actor", String(254), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(254), nullable=False, default=""),
    Column("detail", JSON, nullable=False, default=dict),
    Column("source_ip", String(64), nullable=True),
    Column("created_at", Timestamp, nullable=False),
)

# --- domains -------------------------------------------------------------------------------------

domains = Table(
    "domains",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("name", String(253), nullable=False, unique=True),  # A-label, lower case, no trailing dot
    Column("mode", String(16), nullable=False, default="full"),  # full | ownership
    Column("state", String(24), nullable=False, default="pending"),
    Column("ownership_token", String(64), nullable=False),
    Column("record_status", JSON, nullable=False, default=dict),
    Column("checked_at", Timestamp, nullable=True),
    Column("next_check_at", Timestamp, nullable=True),
    Column("verified_at", Timestamp, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Index(None, "next_check_at"),  # the background recheck worker's scan
)

dkim_keys = Table(
    "dkim_keys",
    metadata,
    _id(),
    Column("domain_id", Id, ForeignKey("domains.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("selector", String(63), nullable=False),
    Column("algorithm", String(16), nullable=False),
    Column("private_key", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("domain_id", "selector"),
)

# --- mailboxes, groups and the address registry ---------------------------------------------------

mailboxes = Table(
    "mailboxes",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("member_id", Id, ForeignKey("members.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("domain_id", Id, ForeignKey("domains.id", ondelete="RESTRICT"), nullable=False, index=True),
    Column("address", String(320), nullable=False, unique=True),
    Column("kind", String(16), nullable=False, default="personal"),  # personal | shared
    Column("display_name", String(64), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="open"),  # open | recycled
    Column("recycled_at", Timestamp, nullable=True),
    Column("quota_bytes", BigInteger, nullable=True),  # None = unlimited
    Column("used_bytes", BigInteger, nullable=False, default=0),
    Column("modseq", BigInteger, nullable=False, default=1),  # mailbox-wide change counter
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("member_id"),  # one mailbox (open or recycled) per member; NULLs are shared ones
    Index(None, "status", "recycled_at"),  # the recycle-bin purge worker's scan
)

groups = Table(
    "groups",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("domain_id", Id, ForeignKey("domains.id", ondelete="RESTRICT"), nullable=False, index=True),
    Column("address", String(320), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    _id(),
    Column("group_id", Id, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("member_id", Id, ForeignKey("members.id", ondelete="CASCADE"), nullable=True),
    Column("address", String(320), nullable=True),  # an outside or other internal address
    UniqueConstraint("group_id", "member_id"),
    UniqueConstraint("group_id", "address"),
)

shared_mailbox_members = Table(
    "shared_mailbox_members",
    metadata,
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Id, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)

aliases = Table(
    "aliases",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("domain_id", Id, ForeignKey("domains.id", ondelete="RESTRICT"), nullable=False, index=True),
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("address", String(320), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
)

# Every hosted address, whatever it names, is reserved here once: a single unique index makes
# "address occupied" race-free across mailboxes, aliases and groups.
addresses = Table(
    "addresses",
    metadata,
    Column("address", String(320), primary_key=True),
    _enterprise_fk(),
    Column("kind", String(16), nullable=False),  # mailbox | alias | group
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("group_id", Id, ForeignKey("groups.id", ondelete="CASCADE"), nullable=True, index=True),
)

# --- mail store ------------------------------------------------------------------------------------

folders = Table(
    "folders",
    metadata,
    _id(),
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(512), nullable=False),  # UTF-8, hierarchy separator "/"
    Column("special_use", String(16), nullable=True),  # \Inbox-like roles: inbox, drafts, sent, ...
    Column("uidvalidity", BigInteger, nullable=False),
    Column("uidnext", BigInteger, nullable=False, default=1),
    Column("highestmodseq", BigInteger, nullable=False, default=1),
    Column("subscribed", Boolean, nullable=False, default=True),
    Column("message_count", Integer, nullable=False, default=0),
    Column("unseen_count", Integer, nullable=False, default=0),
    Column("total_bytes", BigInteger, nullable=False, default=0),
    Column("created_at", Timestamp, nullable=False),
    # IMAP4rev1 \Recent (RFC 3501 §2.3.2): messages from this UID on are recent for the next session
    # that claims them (SELECT, or a selected session seeing them arrive); a new folder's are all recent.
    Column("recent_uid", BigInteger, nullable=False, default=1, server_default="1"),
    UniqueConstraint("mailbox_id", "name"),
)

# Subscribed names that have no folder: a subscription outlives the folder's deletion and may name a
# folder that does not exist yet (RFC 3501 §6.3.6, §6.3.9; RFC 5258 \NonExistent). Subscriptions of
# existing folders are ``folders.subscribed``.
orphan_subscriptions = Table(
    "orphan_subscriptions",
    metadata,
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(512), primary_key=True),
)

# The last UIDVALIDITY handed out per mailbox: a folder deleted and re-created under the same name
# must get a new, larger UIDVALIDITY (RFC 9051 §2.3.1.1), and the folder row that held the old one
# is gone by then.
folder_uidvalidity = Table(
    "folder_uidvalidity",
    metadata,
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True),
    Column("last_uidvalidity", BigInteger, nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("refcount", Integer, nullable=False),
)

messages = Table(
    "messages",
    metadata,
    _id(),
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), nullable=False),
    Column("folder_id", Id, ForeignKey("folders.id", ondelete="CASCADE"), nullable=False),
    Column("uid", BigInteger, nullable=False),
    Column("modseq", BigInteger, nullable=False),
    Column("seen", Boolean, nullable=False, default=False),
    Column("answered", Boolean, nullable=False, default=False),
    Column("flagged", Boolean, nullable=False, default=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("draft", Boolean, nullable=False, default=False),
    Column("keywords", JSON, nullable=False, default=list),
    Column("internal_date", Timestamp, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("blob_sha256", String(64), ForeignKey("blobs.sha256"), nullable=False, index=True),
    Column("prefix", LargeBinary, nullable=True),  # headers added on delivery (Received, Auth-Results)
    # Cached parse results (rebuildable from the blob):
    Column("parsed", JSON, nullable=False),
    Column("subject", Text, nullable=False, default=""),
    Column("from_addr", Text, nullable=False, default=""),
    Column("to_addr", Text, nullable=False, default=""),
    Column("cc_addr", Text, nullable=False, default=""),
    Column("message_id", String(998), nullable=True),
    Column("sent_date", Timestamp, nullable=True),
    Column("preview", Text, nullable=False, default=""),
    Column("has_attachments", Boolean, nullable=False, default=False),
    Column("dedupe_key", String(128), nullable=True),
    Column("meta", JSON, nullable=False, default=dict),  # delivery verdicts, bounce classification
    UniqueConstraint("folder_id", "uid"),
    Index(None, "folder_id", "modseq"),
    # Unique: ingest's dedupe ("already delivered / already migrated") is race-free across nodes.
    # NULL keys never collide, so copies (which carry no key) are unaffected.
    Index(None, "mailbox_id", "dedupe_key", unique=True),
    Index(None, "folder_id", "internal_date"),
)

message_texts = Table(
    "message_texts",
    metadata,
    Column("message_id", Id, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("body", Text, nullable=False),
)

# QRESYNC (RFC 7162): remembers which UIDs vanished at which MODSEQ.
expunged = Table(
    "expunged",
    metadata,
    Column("folder_id", Id, ForeignKey("folders.id", ondelete="CASCADE"), primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    Column("modseq", BigInteger, nullable=False),
    Index(None, "folder_id", "modseq"),
)

# --- auth: client passwords, web sessions, one-time codes, the dev outbox ----------------------------

# Per-client random passwords for IMAP/POP3/SMTP. ``secret_hash`` is SHA-256 of the normalised secret:
# it is 16 symbols from a 31-symbol alphabet (~79 bits), so a fast hash cannot be brute-forced and keeps
# each mail-client login cheap (argon2id stays for human-chosen account passwords).
client_passwords = Table(
    "client_passwords",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("member_id", Id, ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(64), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    Column("last_used_at", Timestamp, nullable=True),
    Column("last_used_protocol", String(8), nullable=True),  # imap | pop3 | smtp
    Column("revoked_at", Timestamp, nullable=True),
    Index(None, "enterprise_id", "member_id"),
)

# Web (webmail, admin, operator console) sessions; only the token's SHA-256 is stored.
web_sessions = Table(
    "web_sessions",
    metadata,
    _id(),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # member | admin | operator
    Column("enterprise_id", Id, ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=True),
    Column("member_id", Id, ForeignKey("members.id", ondelete="CASCADE"), nullable=True),
    Column("admin_id", Id, ForeignKey("administrators.id", ondelete="CASCADE"), nullable=True),
    Column("login", String(320), nullable=False),
    Column("remote_ip", String(64), nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("last_seen_at", Timestamp, nullable=False),
    Column("idle_minutes", Integer, nullable=False),
    Column("revoked_at", Timestamp, nullable=True),
    Column("operator_id", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=True),
    Index(None, "enterprise_id", "member_id"),
    Index(None, "last_seen_at"),  # pruning stale rows
)

# SMS / e-mail codes for login and password reset, bound to a phone or e-mail target (not a tenant:
# one phone may belong to members of several enterprises). Only the code's hash is stored.
login_codes = Table(
    "login_codes",
    metadata,
    _id(),
    Column("purpose", String(16), nullable=False),  # login | reset
    Column("channel", String(8), nullable=False),  # sms | email
    Column("target", String(254), nullable=False),  # normalised phone or lower-cased e-mail
    Column("code_hash", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("used_at", Timestamp, nullable=True),
    Index(None, "target", "purpose", "created_at"),
)

# What the development sender "sent" (SMS and e-mail), for the operator console and tests.
outbox = Table(
    "outbox",
    metadata,
    _id(),
    Column("channel", String(8), nullable=False),  # sms | email
    Column("recipient", String(254), nullable=False),
    Column("subject", String(200), nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Index(None, "recipient", "created_at"),
)

# Platform operators (console + CLI): not tenant rows. Passwords are argon2id like members'.
operators = Table(
    "operators",
    metadata,
    _id(),
    Column("login", String(254), nullable=False, unique=True),  # lower-cased
    Column("password_hash", String(200), nullable=False),
    Column("status", String(16), nullable=False, default="active"),  # active | disabled
    Column("created_at", Timestamp, nullable=False),
)

# Enterprise administrators' REST API tokens (``ymt_...``); only the token's SHA-256 is stored.
api_tokens = Table(
    "api_tokens",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("admin_id", Id, ForeignKey("administrators.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    Column("last_used_at", Timestamp, nullable=True),
    Column("last_used_ip", String(64), nullable=True),
    Column("revoked_at", Timestamp, nullable=True),
    Index(None, "enterprise_id", "admin_id"),
)

# Confirmed TOTP (RFC 6238) secrets: one per member, administrator or operator (exactly one of the
# three ids is set). ``last_step`` is the newest time step accepted, so a code works only once.
# The base32 secret is stored as is: there is no at-rest sealing module yet.
totp_secrets = Table(
    "totp_secrets",
    metadata,
    _id(),
    Column("kind", String(16), nullable=False),  # member | admin | operator
    Column("enterprise_id", Id, ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=True),
    Column("member_id", Id, ForeignKey("members.id", ondelete="CASCADE"), nullable=True, unique=True),
    Column("admin_id", Id, ForeignKey("administrators.id", ondelete="CASCADE"), nullable=True, unique=True),
    Column("operator_id", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=True, unique=True),
    Column("secret", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("last_step", BigInteger, nullable=True),
)

# --- infrastructure --------------------------------------------------------------------------------

counters = Table(
    "counters",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("window_start", BigInteger, nullable=False),
    Column("count", BigInteger, nullable=False),
)

# --- outbound mail ---------------------------------------------------------------------------------

# One row per remote recipient of an accepted message (submission, or a group's outside address).
# The bytes are ``prefix`` (trace headers) + the blob; each row holds one reference in ``blobs``
# (released by the delivery worker when the row is finished). The worker picks rows by
# ``(status, next_attempt_at)``; ``dedupe_key`` makes a client's retry after a lost reply harmless.
outbound_queue = Table(
    "outbound_queue",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("member_id", Id, ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    Column("sender", String(320), nullable=False),  # reverse-path; "" = null sender (bounces)
    Column("recipient", String(320), nullable=False),  # forward-path, domain as A-label
    Column("recipient_domain", String(253), nullable=False),  # per-domain batching by the worker
    Column("blob_sha256", String(64), ForeignKey("blobs.sha256"), nullable=False, index=True),
    Column("prefix", LargeBinary, nullable=True),
    Column("size", BigInteger, nullable=False),  # prefix + blob
    Column("message_id", String(998), nullable=True),  # the Message-ID header, for traces
    Column("trace_id", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False, default="queued"),  # queued|sending|sent|bounced|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", Timestamp, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("last_attempt_at", Timestamp, nullable=True),
    Column("last_error", Text, nullable=True),  # the remote reply or local reason of the last failure
    Column("smtputf8", Boolean, nullable=False, default=False),
    Column("body_8bit", Boolean, nullable=False, default=False),  # BODY=8BITMIME
    # RFC 3461 DSN parameters as received: RET and ENVID per message, NOTIFY and ORCPT per recipient.
    Column("dsn_ret", String(8), nullable=True),
    Column("dsn_envid", String(100), nullable=True),
    Column("dsn_notify", String(64), nullable=True),
    Column("dsn_orcpt", String(500), nullable=True),
    Column("dedupe_key", String(128), nullable=True),
    # Outbound worker: a 'sending' row is leased until next_attempt_at; only the holder of
    # lease_token may finish it, and a crashed holder's row is claimable again after that time.
    Column("lease_token", String(32), nullable=True),
    Column("delay_notified_at", Timestamp, nullable=True),  # RFC 3461 NOTIFY=DELAY notice sent
    Index(None, "status", "next_attempt_at"),
    Index(None, "enterprise_id", "created_at"),
    Index(None, "recipient_domain", "status"),
    # NULL keys never collide: messages without a key are never treated as repeats.
    Index(None, "enterprise_id", "dedupe_key", "recipient", unique=True),
)


# A mailbox's own automation (signature, auto-reply, forwarding, rules) as one validated JSON value.
mailbox_automation = Table(
    "mailbox_automation",
    metadata,
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True),
    _enterprise_fk(),
    Column("settings", JSON, nullable=False),
    Column("active", Boolean, nullable=False),  # anything to do at delivery time (read per delivery)
    Column("updated_at", Timestamp, nullable=False),
)

# Auto-replies sent: at most one per mailbox, sender and day (the primary key is the guard).
auto_reply_log = Table(
    "auto_reply_log",
    metadata,
    Column("mailbox_id", Id, ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True),
    Column("sender", String(320), primary_key=True),
    Column("day", Date, primary_key=True),
)


# A member's personal contacts (the enterprise address book comes from members and mailboxes).
personal_contacts = Table(
    "personal_contacts",
    metadata,
    _id(),
    _enterprise_fk(),
    Column("member_id", Id, ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("company", String(200), nullable=True),
    Column("note", String(1000), nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Index(None, "enterprise_id", "member_id"),
)


# --- dialect settings applied to every table (keep this block last) ------------------------------


# SQLite reuses the id of a deleted highest row unless the table is AUTOINCREMENT; a purged
# mailbox's id coming back for a new mailbox would confuse anything keyed on old ids (events,
# caches, links).
def _apply_dialect_settings() -> None:
    for table in metadata.tables.values():
        if "id" in table.c and table.c.id.primary_key:
            table.dialect_kwargs["sqlite_autoincrement"] = True


_apply_dialect_settings()
