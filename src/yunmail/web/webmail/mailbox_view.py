"""What the webmail's mail pages share: folders in URLs and in the sidebar, message rows, day groups, time.

Folders appear in URLs by name (``/mail/Sent``) when the name is one path segment, else as
``~<id>`` (``/mail/~12``), so a folder ``Projects/2026`` can never be mistaken for a message UID.
The default folders show translated names. Dates are shown in the member's time zone
(``Asia/Shanghai`` until members can choose one) and "today" comes from the server's ``Clock``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from starlette.responses import Response

from yunmail.auth import Principal
from yunmail.errors import FolderNotFound
from yunmail.mailstore import FLAGGED, SEEN, Folder, MessageInfo, SpecialUse, parsed_message
from yunmail.mime import Address, ParsedMessage
from yunmail.web import deps
from yunmail.web.templating import Pages

MEMBER_TIMEZONE = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50
SPECIAL_ORDER = (
    SpecialUse.INBOX,
    SpecialUse.DRAFTS,
    SpecialUse.SENT,
    SpecialUse.JUNK,
    SpecialUse.TRASH,
    SpecialUse.VIRUS,
)
# Folders whose list shows the recipients rather than the sender.
OUTGOING = frozenset({SpecialUse.SENT, SpecialUse.DRAFTS})
# Folders where "not spam" moves a message back to the inbox.
QUARANTINE = frozenset({SpecialUse.JUNK, SpecialUse.VIRUS})

FOLDER_STRINGS: dict[str, tuple[str, str]] = {
    "webmail.folder.inbox": ("Inbox", "收件箱"),
    "webmail.folder.drafts": ("Drafts", "草稿箱"),
    "webmail.folder.sent": ("Sent", "已发送"),
    "webmail.folder.junk": ("Junk", "垃圾邮件"),
    "webmail.folder.trash": ("Trash", "已删除"),
    "webmail.folder.virus": ("Virus", "病毒邮件"),
    "webmail.day.today": ("Today", "今天"),
    "webmail.day.yesterday": ("Yesterday", "昨天"),
    "webmail.day.week": ("Earlier this week", "本周早些时候"),
    "webmail.day.earlier": ("Earlier", "更早"),
    "webmail.mail.no_subject": ("(no subject)", "（无主题）"),
    "webmail.mail.no_sender": ("(unknown sender)", "（未知发件人）"),
}


def mailbox_of(principal: Principal) -> int:
    """The member's own mailbox (MAILBOX_NOT_OPENED without one): the only mailbox these pages touch."""
    return principal.require_mailbox()


# Paths under /mail/ that are not folders.
_RESERVED_SLUGS = frozenset({"events", "status", "config-v1.1.xml"})


def folder_slug(folder: Folder) -> str:
    if "/" in folder.name or folder.name.startswith("~") or folder.name.lower() in _RESERVED_SLUGS:
        return f"~{folder.id}"
    return folder.name


def folder_url(folder: Folder, suffix: str = "") -> str:
    return "/mail/" + quote(folder_slug(folder), safe="") + suffix


def message_url(folder: Folder, uid: int, suffix: str = "") -> str:
    return folder_url(folder, f"/{uid}{suffix}")


def find_folder(folders: Sequence[Folder], slug: str) -> Folder:
    """The folder a URL segment names (``INBOX`` any case, a name, or ``~id``); FolderNotFound otherwise."""
    for folder in folders:
        if folder.name == slug or (folder.special_use is SpecialUse.INBOX and slug.upper() == "INBOX"):
            return folder
    if slug.startswith("~") and slug[1:].isdigit():
        wanted = int(slug[1:])
        for folder in folders:
            if folder.id == wanted:
                return folder
    raise FolderNotFound(name=slug)


def ordered(folders: Sequence[Folder]) -> list[Folder]:
    """Default folders first in their usual order, then the member's own folders by name."""
    rank = {use: index for index, use in enumerate(SPECIAL_ORDER)}
    return sorted(
        folders,
        key=lambda f: (
            (0, rank[f.special_use], "") if f.special_use is not None else (1, 0, f.name.casefold())
        ),
    )


@dataclass(frozen=True, slots=True)
class FolderEntry:
    folder: Folder
    slug: str
    url: str
    label: str
    depth: int
    active: bool


def folder_label(folder: Folder, t: Callable[[str], str]) -> str:
    if folder.special_use is not None:
        return t(f"webmail.folder.{folder.special_use.value}")
    return folder.name.rsplit("/", 1)[-1]


def folder_entries(
    folders: Sequence[Folder], current: Folder | None, t: Callable[[str], str]
) -> list[FolderEntry]:
    return [
        FolderEntry(
            folder=f,
            slug=folder_slug(f),
            url=folder_url(f),
            label=folder_label(f, t),
            depth=0 if f.special_use is not None else f.name.count("/"),
            active=current is not None and f.id == current.id,
        )
        for f in ordered(folders)
    ]


def translator(request: Request) -> Callable[[str], str]:
    pages = request.app.state.pages
    lang = deps.language(request)

    def t(key: str) -> str:
        return str(pages.catalogue.gettext(lang, key))

    return t


# --- message rows and day groups ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageRow:
    uid: int
    url: str
    who: str  # sender, or recipients in Sent/Drafts
    who_title: str
    subject: str
    preview: str
    when: str
    when_title: str
    unread: bool
    flagged: bool
    attachment: bool
    group: str


def local_time(value: dt.datetime) -> dt.datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(MEMBER_TIMEZONE)


def day_group(value: dt.datetime, now: dt.datetime) -> str:
    """``today``, ``yesterday``, ``week`` (earlier this week, weeks start on Monday) or ``earlier``."""
    day = local_time(value).date()
    today = local_time(now).date()
    if day >= today:
        return "today"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    if day >= today - dt.timedelta(days=today.weekday()):
        return "week"
    return "earlier"


def short_time(value: dt.datetime, now: dt.datetime, lang: str) -> str:
    local = local_time(value)
    group = day_group(value, now)
    if group == "today":
        return local.strftime("%H:%M")
    if local.year == local_time(now).year:
        return f"{local.month}月{local.day}日" if lang == "zh" else local.strftime("%b %-d")
    return local.strftime("%Y-%m-%d")


def full_time(value: dt.datetime | None) -> str:
    return "" if value is None else local_time(value).strftime("%Y-%m-%d %H:%M")


def _names(addresses: Sequence[Address]) -> str:
    return ", ".join(a.name or a.addr_spec for a in addresses)


def parsed_of(info: MessageInfo) -> ParsedMessage | None:
    return parsed_message(info)


def message_rows(
    folder: Folder, infos: Sequence[MessageInfo], now: dt.datetime, t: Callable[[str], str], lang: str
) -> list[MessageRow]:
    rows = []
    for info in infos:
        parsed = parsed_of(info)
        outgoing = folder.special_use in OUTGOING
        if parsed is not None:
            people = (parsed.to + parsed.cc) if outgoing else parsed.from_
            who, who_title = _names(people), ", ".join(a.display() for a in people)
        else:
            who = who_title = info.to_addr if outgoing else info.from_addr
        when = info.internal_date
        rows.append(
            MessageRow(
                uid=info.uid,
                url=message_url(folder, info.uid),
                who=who or t("webmail.mail.no_sender"),
                who_title=who_title,
                subject=info.subject or t("webmail.mail.no_subject"),
                preview=info.preview,
                when=short_time(when, now, lang),
                when_title=full_time(when),
                unread=SEEN not in info.flags,
                flagged=FLAGGED in info.flags,
                attachment=info.has_attachments,
                group=day_group(when, now),
            )
        )
    return rows


def grouped(rows: Sequence[MessageRow]) -> list[tuple[str, list[MessageRow]]]:
    """Consecutive rows by day group (rows come newest first, so each group appears once)."""
    groups: list[tuple[str, list[MessageRow]]] = []
    for row in rows:
        if not groups or groups[-1][0] != row.group:
            groups.append((row.group, []))
        groups[-1][1].append(row)
    return groups


def safe_next(value: str | None, default: str) -> str:
    """A redirect target inside the mail pages only (no open redirect)."""
    if (
        value
        and value.startswith(("/mail/", "/search", "/compose"))
        and "\\" not in value
        and "//" not in value
    ):
        return value
    return default


def render(
    request: Request, template: str, context: Mapping[str, Any], *, status_code: int = 200
) -> Response:
    pages: Pages = request.app.state.pages
    return pages.render(request, template, context, status_code=status_code)
