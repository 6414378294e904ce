"""Structured logs with a trace id per message or request, and redaction of secrets."""

from __future__ import annotations

import contextvars
import json
import logging as _logging
import re
import sys
from typing import Any

trace_id: contextvars.ContextVar[str] = contextvars.ContextVar("yunmail_trace_id", default="-")

_SECRET_KEYS = re.compile(r"(password|passwd|secret|token|authorization|cookie|code)", re.IGNORECASE)
_AUTH_LINE = re.compile(r"(?i)\b(AUTH\s+(?:PLAIN|LOGIN)\s+)\S+|(\bLOGIN\s+\S+\s+)\S+")


def redact(value: Any, key: str = "") -> Any:
    """Blank out anything that looks like a credential before it reaches a log line."""
    if key and _SECRET_KEYS.search(key):
        return "***"
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _AUTH_LINE.sub(lambda m: (m.group(1) or m.group(2)) + "***", value)
    return value


class _JsonFormatter(_logging.Formatter):
    def format(self, record: _logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
            "trace": trace_id.get(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            data.update(redact(extra))
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class _TextFormatter(_logging.Formatter):
    def format(self, record: _logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        tail = ""
        if isinstance(fields, dict) and fields:
            tail = " " + " ".join(f"{k}={v}" for k, v in redact(fields).items())
        line = f"{record.levelname[0]} {record.name}: {redact(record.getMessage())}{tail}"
        if trace_id.get() != "-":
            line += f" trace={trace_id.get()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def setup(level: str = "info", json_lines: bool = False) -> None:
    handler = _logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if json_lines else _TextFormatter())
    root = _logging.getLogger("yunmail")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


def get(name: str) -> _logging.Logger:
    return _logging.getLogger(name if name.startswith("yunmail") else f"yunmail.{name}")
