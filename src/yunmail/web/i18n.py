"""Interface language: the choice (cookie, then ``Accept-Language``) and the UI string catalogues.

Pages are in Chinese and English (PRODUCT: every message in both). Each portal keeps its own
catalogue module (``admin/strings.py`` and the like) and registers it here; ``gettext`` falls back
to the English text, then to the key, so a missing translation shows something readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

LANGUAGES = ("zh", "en")
LANGUAGE_COOKIE = "ym_lang"

# Strings every portal uses (layout, buttons, pagination).
COMMON: Mapping[str, tuple[str, str]] = {
    # key: (English, Chinese)
    "app.name": ("Yunmail", "云邮"),
    "action.save": ("Save", "保存"),
    "action.cancel": ("Cancel", "取消"),
    "action.delete": ("Delete", "删除"),
    "action.search": ("Search", "搜索"),
    "action.logout": ("Log out", "退出登录"),
    "action.login": ("Log in", "登录"),
    "action.back": ("Back", "返回"),
    "action.confirm": ("Confirm", "确认"),
    "action.copy": ("Copy", "复制"),
    "page.prev": ("Previous", "上一页"),
    "page.next": ("Next", "下一页"),
    "page.of": ("{start}–{end} of {total}", "第 {start}–{end} 条，共 {total} 条"),
    "lang.switch": ("中文", "English"),
    "error.title": ("Something went wrong", "出错了"),
    "error.not_found": ("Page not found", "页面不存在"),
    "error.misdirected": (
        "This address does not serve any mail site here.",
        "此地址未对应本服务的任何邮箱站点。",
    ),
}


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """``zh`` or ``en``: an explicit cookie wins, then the first supported ``Accept-Language`` entry."""
    if cookie in LANGUAGES:
        return cookie
    for item in _ranked(accept_language or ""):
        primary = item.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return "zh" if not accept_language else "en"


def _ranked(header: str) -> list[str]:
    entries: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().lower().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            entries.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(entries)]


@dataclass(slots=True)
class Catalogue:
    """Merged UI strings of every portal; built once by the app factory."""

    strings: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(COMMON))

    def register(self, strings: Mapping[str, tuple[str, str]]) -> None:
        clashes = {k for k in strings if k in self.strings and self.strings[k] != strings[k]}
        if clashes:
            raise ValueError(f"UI string keys defined twice with different text: {sorted(clashes)}")
        self.strings.update(strings)

    def gettext(self, lang: str, key: str, **params: object) -> str:
        pair = self.strings.get(key)
        if pair is None:
            return key
        text = pair[1] if lang == "zh" and pair[1] else pair[0]
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text
