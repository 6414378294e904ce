"""What the CLI prints: JSON for ``--json`` (objects and catalogue errors), aligned text otherwise.

JSON is written with ``ensure_ascii=False`` so Chinese names stay readable, and values are converted
generically (dataclasses, mappings, dates), so every field a service returns reaches scripts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from yunmail.errors import YunmailError


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A command's outcome: ``data`` for ``--json``, ``text`` for people."""

    data: Any
    text: str


def to_jsonable(value: Any) -> Any:
    """Plain JSON values from service results (frozen dataclasses, mapping proxies, dates)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        display = getattr(value, "display_address", None)
        if isinstance(display, str) and display != out.get("address"):
            out["display_address"] = display
        return out
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, indent=2)


def print_result(result: CommandResult, *, as_json: bool, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    out.write((dumps(result.data) if as_json else result.text) + "\n")
    out.flush()


def print_error(
    error: YunmailError, *, as_json: bool, lang: str = "en", stream: TextIO | None = None
) -> None:
    """Failures go to stdout as JSON with ``--json`` (scripts parse one stream), else to stderr."""
    if as_json:
        out = stream or sys.stdout
        out.write(json.dumps(error.as_dict(lang), ensure_ascii=False) + "\n")
    else:
        out = stream or sys.stderr
        out.write(f"error: {error.text(lang)} [{error.code}]\n")
    out.flush()


def fields_text(pairs: Iterable[tuple[str, object]]) -> str:
    """``label: value`` lines with the values aligned; None shows as ``-``."""
    rows = [(label, "-" if value is None or value == "" else str(value)) for label, value in pairs]
    width = max((display_width(label) for label, _ in rows), default=0)
    return "\n".join(f"{_pad(label + ':', width + 1)} {value}" for label, value in rows)


def table_text(headers: Sequence[str], rows: Iterable[Sequence[object]], *, empty: str = "(none)") -> str:
    """A plain table whose columns line up for CJK text too (wide characters count double)."""
    cells = [[("-" if v is None or v == "" else str(v)) for v in row] for row in rows]
    if not cells:
        return empty
    widths = [display_width(h) for h in headers]
    for row in cells:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def when(value: dt.datetime | dt.date | None) -> str | None:
    """Dates for people: minutes are enough."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()
