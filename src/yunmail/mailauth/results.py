"""The Authentication-Results header field (RFC 8601): value objects, rendering and parsing.

Rendering puts each result clause on its own folded line and quotes values that are not tokens
(RFC 2045 tspecials), except addresses and domain names, which §2.2 ``pvalue`` allows bare.
Parsing accepts CFWS and comments anywhere the grammar allows them, ``authres-version``, ``none``,
``reason=`` and ``ptype.property=pvalue`` properties; unknown methods and results are kept as
written (§2.7).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from yunmail.mailauth.dkim import DkimVerification
from yunmail.mailauth.dmarc import DmarcOutcome
from yunmail.mailauth.spf import SpfOutcome

__all__ = [
    "AuthResultsSyntaxError",
    "AuthenticationResults",
    "MethodResult",
    "dkim_results",
    "dmarc_result",
    "parse",
    "render",
    "render_field",
    "spf_result",
]

_TOKEN = re.compile(r"^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$")  # RFC 2045 token: no tspecials
_PVALUE_BARE = re.compile(r"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.@]+$")  # addr-spec / domain-name shapes
_KEYWORD = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")


class AuthResultsSyntaxError(ValueError):
    """The header value does not follow RFC 8601 §2.2."""


@dataclass(frozen=True, slots=True)
class MethodResult:
    method: str  # "spf", "dkim", "dmarc", "iprev", "auth", ...
    result: str  # "pass", "fail", ...
    reason: str | None = None
    properties: tuple[tuple[str, str, str], ...] = ()  # (ptype, property, value): ("smtp", "mailfrom", "a@b")
    version: int | None = None  # method-version ("dkim/1")

    def property(self, ptype: str, name: str) -> str | None:
        for kind, prop, value in self.properties:
            if kind == ptype.lower() and prop == name.lower():
                return value
        return None


@dataclass(frozen=True, slots=True)
class AuthenticationResults:
    authserv_id: str
    results: tuple[MethodResult, ...] = ()  # empty renders as "none" (§2.2 no-result)
    version: int | None = None

    def find(self, method: str) -> list[MethodResult]:
        return [result for result in self.results if result.method == method.lower()]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(value: str) -> str:
    return value if _TOKEN.match(value) else _quote(value)


def _pvalue(value: str) -> str:
    return value if _PVALUE_BARE.match(value) and "=" not in value[:1] else _quote(value)


def render(results: AuthenticationResults) -> str:
    """The field value, one result clause per folded continuation line (RFC 5322 §2.2.3)."""
    head = _value(results.authserv_id)
    if results.version is not None:
        head += f" {results.version}"
    if not results.results:
        return head + "; none"
    clauses: list[str] = []
    for item in results.results:
        method = item.method + (f"/{item.version}" if item.version is not None else "")
        words = [f"{method}={item.result}"]
        if item.reason is not None:
            words.append(f"reason={_quote(item.reason)}")
        words.extend(f"{ptype}.{prop}={_pvalue(value)}" for ptype, prop, value in item.properties)
        clauses.append(" ".join(words))
    lines = [head + ";"]
    for index, clause in enumerate(clauses):
        suffix = ";" if index < len(clauses) - 1 else ""
        lines.append("\t" + clause + suffix)
    return "\r\n".join(lines)


def render_field(results: AuthenticationResults) -> bytes:
    """The whole header field, CRLF-terminated, ready to prepend to a message (§5)."""
    return ("Authentication-Results: " + render(results) + "\r\n").encode("utf-8")


class _Reader:
    """Tokens of the §2.2 grammar: skips CFWS (nested comments, §3.2.2 RFC 5322)."""

    def __init__(self, text: str) -> None:
        self.text = re.sub(r"\r?\n(?=[ \t])", "", text)  # unfold
        self.pos = 0

    def skip_cfws(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "(":
                depth = 0
                while self.pos < len(text):
                    c = text[self.pos]
                    if c == "\\":
                        self.pos += 2
                        continue
                    if c == "(":
                        depth += 1
                    elif c == ")":
                        depth -= 1
                        if depth == 0:
                            self.pos += 1
                            break
                    self.pos += 1
                else:
                    raise AuthResultsSyntaxError("unterminated comment")
            else:
                return

    def at_end(self) -> bool:
        self.skip_cfws()
        return self.pos >= len(self.text)

    def peek(self) -> str:
        self.skip_cfws()
        return self.text[self.pos : self.pos + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise AuthResultsSyntaxError(f"expected '{char}' at {self.pos}")
        self.pos += 1

    def word(self, stop: str = ' \t\r\n;()="') -> str:
        self.skip_cfws()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in stop:
            self.pos += 1
        if start == self.pos:
            raise AuthResultsSyntaxError(f"expected a word at {start}")
        return self.text[start : self.pos]

    def value(self, stop: str = ' \t\r\n;()"') -> str:
        """``value`` = token / quoted-string (pvalues may also hold '@' and '=')."""
        if self.peek() != '"':
            return self.word(stop)
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char == '"':
                self.pos += 1
                return "".join(out)
            out.append(char)
            self.pos += 1
        raise AuthResultsSyntaxError("unterminated quoted string")


def parse(value: str) -> AuthenticationResults:
    """Parse a field value (without the ``Authentication-Results:`` name)."""
    reader = _Reader(value)
    authserv_id = reader.value(" \t\r\n;()")
    version = None
    if reader.peek().isdigit():
        version = int(reader.word())
    results: list[MethodResult] = []
    reader.expect(";")
    if reader.peek() != "" and reader.text[reader.pos :].strip().lower() == "none":
        return AuthenticationResults(authserv_id, (), version)
    while True:
        results.append(_parse_resinfo(reader))
        if reader.at_end():
            break
        reader.expect(";")
        if reader.at_end():
            break  # tolerate a trailing ";"
    return AuthenticationResults(authserv_id, tuple(results), version)


def _parse_resinfo(reader: _Reader) -> MethodResult:
    method_text = reader.word(' \t\r\n;()="')
    method, _, method_version = method_text.partition("/")
    if not _KEYWORD.match(method) or (method_version and not method_version.isdigit()):
        raise AuthResultsSyntaxError(f"bad method '{method_text}'")
    reader.expect("=")
    result = reader.word()
    if not _KEYWORD.match(result):
        raise AuthResultsSyntaxError(f"bad result '{result}'")
    reason = None
    properties: list[tuple[str, str, str]] = []
    while reader.peek() not in ("", ";"):
        key = reader.word(' \t\r\n;()="')
        reader.expect("=")
        if key.lower() == "reason":
            reason = reader.value()
            continue
        ptype, dot, prop = key.partition(".")
        if not dot or not _KEYWORD.match(ptype) or not prop:
            raise AuthResultsSyntaxError(f"bad property '{key}'")
        properties.append((ptype.lower(), prop.lower(), reader.value()))
    return MethodResult(
        method.lower(),
        result.lower(),
        reason,
        tuple(properties),
        int(method_version) if method_version else None,
    )


def spf_result(outcome: SpfOutcome, mail_from: str, helo: str | None = None) -> MethodResult:
    """§2.7.2: ``spf=<result> smtp.mailfrom=<address>`` (HELO identity when MAIL FROM was empty)."""
    properties = (
        [("smtp", "mailfrom", mail_from)] if mail_from else [("smtp", "helo", helo or outcome.domain)]
    )
    return MethodResult("spf", outcome.result.value, outcome.problem, tuple(properties))


def dkim_results(checks: Sequence[DkimVerification]) -> list[MethodResult]:
    """§2.7.1 plus RFC 6008 ``header.b``; no signature at all is ``dkim=none``."""
    if not checks:
        return [MethodResult("dkim", "none")]
    results = []
    for check in checks:
        properties = [("header", "d", check.domain), ("header", "s", check.selector)]
        if check.algorithm:
            properties.append(("header", "a", check.algorithm))
        if check.signature_prefix:
            properties.append(("header", "b", check.signature_prefix))
        results.append(MethodResult("dkim", check.result.value, check.problem, tuple(properties)))
    return results


def dmarc_result(outcome: DmarcOutcome) -> MethodResult:
    """RFC 7489 §11.2: ``dmarc=<result> header.from=<domain>``."""
    return MethodResult(
        "dmarc", outcome.result.value, outcome.problem, (("header", "from", outcome.from_domain),)
    )
