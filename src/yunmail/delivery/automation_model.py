"""A mailbox's own automation, as values: signature, auto-reply, forwarding and simple rules.

PRODUCT (issue 8, settings): auto-reply within a date range, answered at most once per sender per
day; forwarding to other addresses with or without keeping a copy; rules "if sender/subject/
recipient contains X then move to folder / mark read / forward / reject". This module holds the
values, their validation (catalogue errors, so every front door words them the same) and the pure
evaluation of rules against a message's header fields. ``delivery.automation`` stores and runs them.

Limits are deliberate: 50 rules, 10 forwarding targets, 2,000 characters of auto-reply and signature
— enough for people, too little to build a mailing-list engine (no bulk mail, PRODUCT §7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from yunmail.errors import AddressInvalid, AutomationInvalid, ForwardAddressInvalid
from yunmail.mime import normalize_address

MAX_RULES = 50
MAX_FORWARDS = 10
MAX_TEXT = 2000
MAX_MATCH = 200

RuleField = Literal["from", "subject", "to"]
RuleAction = Literal["move", "mark_read", "forward", "reject"]
RULE_FIELDS: tuple[RuleField, ...] = ("from", "subject", "to")
RULE_ACTIONS: tuple[RuleAction, ...] = ("move", "mark_read", "forward", "reject")


@dataclass(frozen=True, slots=True)
class AutoReply:
    enabled: bool = False
    start: dt.date | None = None  # inclusive; None = from now on
    end: dt.date | None = None  # inclusive; None = until switched off
    subject: str = ""
    body: str = ""

    def active_on(self, day: dt.date) -> bool:
        if not self.enabled:
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Forwarding:
    enabled: bool = False
    addresses: tuple[str, ...] = ()
    keep_copy: bool = True


@dataclass(frozen=True, slots=True)
class MailRule:
    field: RuleField
    contains: str
    action: RuleAction
    target: str = ""  # folder name (move) or address (forward)

    def matches(self, fields: Mapping[str, str]) -> bool:
        return self.contains.casefold() in fields.get(self.field, "").casefold()


@dataclass(frozen=True, slots=True)
class MailboxAutomation:
    signature: str = ""
    auto_reply: AutoReply = field(default_factory=AutoReply)
    forwarding: Forwarding = field(default_factory=Forwarding)
    rules: tuple[MailRule, ...] = ()

    @property
    def idle(self) -> bool:
        """Nothing to do at delivery time (the signature matters only when composing)."""
        return not self.auto_reply.enabled and not self.forwarding.enabled and not self.rules

    def as_json(self) -> dict[str, Any]:
        reply = self.auto_reply
        return {
            "signature": self.signature,
            "auto_reply": {
                "enabled": reply.enabled,
                "start": reply.start.isoformat() if reply.start else None,
                "end": reply.end.isoformat() if reply.end else None,
                "subject": reply.subject,
                "body": reply.body,
            },
            "forwarding": {
                "enabled": self.forwarding.enabled,
                "addresses": list(self.forwarding.addresses),
                "keep_copy": self.forwarding.keep_copy,
            },
            "rules": [
                {"field": r.field, "contains": r.contains, "action": r.action, "target": r.target}
                for r in self.rules
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> MailboxAutomation:
        """Rebuild stored settings (already validated when saved); unknown keys are ignored."""
        if not data:
            return cls()
        reply = data.get("auto_reply") or {}
        forwarding = data.get("forwarding") or {}
        return cls(
            signature=str(data.get("signature", "")),
            auto_reply=AutoReply(
                enabled=bool(reply.get("enabled")),
                start=_date(reply.get("start")),
                end=_date(reply.get("end")),
                subject=str(reply.get("subject", "")),
                body=str(reply.get("body", "")),
            ),
            forwarding=Forwarding(
                enabled=bool(forwarding.get("enabled")),
                addresses=tuple(str(a) for a in forwarding.get("addresses", ())),
                keep_copy=bool(forwarding.get("keep_copy", True)),
            ),
            rules=tuple(
                MailRule(
                    field=cast(RuleField, r["field"]),
                    contains=str(r["contains"]),
                    action=cast(RuleAction, r["action"]),
                    target=str(r.get("target", "")),
                )
                for r in data.get("rules", ())
                if r.get("field") in RULE_FIELDS and r.get("action") in RULE_ACTIONS
            ),
        )


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# --- validation ------------------------------------------------------------------------------------


def validated(automation: MailboxAutomation, own_address: str) -> MailboxAutomation:
    """The settings cleaned up (trimmed, addresses lower-cased), or the first problem as an error."""
    reply = automation.auto_reply
    _text("signature", automation.signature)
    _text("auto_reply.body", reply.body)
    _line("auto_reply.subject", reply.subject)
    if reply.enabled and not reply.body.strip():
        raise AutomationInvalid(detail="auto-reply text is empty")
    if reply.start and reply.end and reply.end < reply.start:
        raise AutomationInvalid(detail="auto-reply ends before it starts")
    forwards = _addresses(automation.forwarding.addresses, own_address)
    if automation.forwarding.enabled and not forwards:
        raise AutomationInvalid(detail="forwarding needs at least one address")
    if len(automation.rules) > MAX_RULES:
        raise AutomationInvalid(detail=f"at most {MAX_RULES} rules")
    rules = tuple(_rule(r, own_address) for r in automation.rules)
    return MailboxAutomation(
        signature=automation.signature.strip(),
        auto_reply=AutoReply(
            reply.enabled, reply.start, reply.end, reply.subject.strip(), reply.body.strip()
        ),
        forwarding=Forwarding(automation.forwarding.enabled, forwards, automation.forwarding.keep_copy),
        rules=rules,
    )


def _text(name: str, value: str) -> None:
    if len(value) > MAX_TEXT:
        raise AutomationInvalid(detail=f"{name} is longer than {MAX_TEXT} characters")


def _line(name: str, value: str) -> None:
    if "\r" in value or "\n" in value or len(value) > 200:
        raise AutomationInvalid(detail=f"{name} must be one line of at most 200 characters")


def _addresses(addresses: Sequence[str], own_address: str) -> tuple[str, ...]:
    cleaned: list[str] = []
    for raw in addresses:
        address = raw.strip()
        if not address:
            continue
        try:
            parsed = normalize_address(address)
        except AddressInvalid:
            raise ForwardAddressInvalid(address=address) from None
        if parsed.lower() == own_address.lower():
            raise ForwardAddressInvalid(address=address)
        if parsed.lower() not in cleaned:
            cleaned.append(parsed.lower())
    if len(cleaned) > MAX_FORWARDS:
        raise AutomationInvalid(detail=f"at most {MAX_FORWARDS} forwarding addresses")
    return tuple(cleaned)


def _rule(rule: MailRule, own_address: str) -> MailRule:
    if rule.field not in RULE_FIELDS or rule.action not in RULE_ACTIONS:
        raise AutomationInvalid(detail="unknown rule field or action")
    contains = rule.contains.strip()
    if not contains or len(contains) > MAX_MATCH or "\n" in contains:
        raise AutomationInvalid(detail="a rule needs the text to look for (one line, at most 200 characters)")
    target = rule.target.strip()
    if rule.action == "move" and not target:
        raise AutomationInvalid(detail="a move rule needs a folder")
    if rule.action == "forward":
        target = _addresses([target], own_address)[0] if target else ""
        if not target:
            raise ForwardAddressInvalid(address=rule.target)
    if rule.action in ("mark_read", "reject"):
        target = ""
    return MailRule(rule.field, contains, rule.action, target)


# --- evaluation ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What the matching rules ask for one message (the first move wins; forwards add up)."""

    folder: str | None = None
    mark_read: bool = False
    forward_to: tuple[str, ...] = ()
    reject: bool = False


def evaluate(rules: Sequence[MailRule], fields: Mapping[str, str]) -> RuleOutcome:
    folder: str | None = None
    mark_read = reject = False
    forwards: list[str] = []
    for rule in rules:
        if not rule.matches(fields):
            continue
        if rule.action == "move" and folder is None:
            folder = rule.target
        elif rule.action == "mark_read":
            mark_read = True
        elif rule.action == "forward" and rule.target not in forwards:
            forwards.append(rule.target)
        elif rule.action == "reject":
            reject = True
    return RuleOutcome(folder, mark_read, tuple(forwards), reject)
