"""Diagnosis rules for a domain's DNS records: what is wrong, said in English and Chinese, and how to fix it.

Pure functions over what verification observed (record values as strings, never a resolver):
each returns a `Diagnosis` (state, error and warning `Finding`s with stable codes, and instructions).
The codes are part of the API (``yunmail domain check --json``) and never renamed; `MESSAGES`
holds their words. Record parsers come from ``mailauth`` (pure code, no I/O).

Rules in one place: record missing; value differs, and how (stray spaces, quotes, extra trailing
dot, a target that lost its final dot, the domain typed into the host field); MX priority; other
providers' MX or SPF still present; several SPF records; SPF over the lookup limit; CNAME sharing a
name with other records; malformed DKIM key record; DMARC problems; ``www.`` typed into the
domain; where the domain's DNS is really hosted.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from yunmail.mailauth.dkim import parse_key_record
from yunmail.mailauth.dmarc import DmarcPolicy, is_dmarc_record
from yunmail.mailauth.dmarc import parse_record as parse_dmarc
from yunmail.mailauth.records import ExpectedRecord
from yunmail.mailauth.spf import LOOKUP_LIMIT, VOID_LOOKUP_LIMIT, LookupCount, SpfSyntaxError, is_spf_record
from yunmail.mailauth.spf import parse_record as parse_spf

__all__ = [
    "DNS_PROVIDERS",
    "MAIL_PROVIDERS",
    "MESSAGES",
    "Diagnosis",
    "Finding",
    "RecordState",
    "Text",
    "cname_conflict",
    "diagnose_cname",
    "diagnose_dkim",
    "diagnose_dmarc",
    "diagnose_domain_name",
    "diagnose_mx",
    "diagnose_spf",
    "diagnose_text",
    "dns_host",
    "doubled_host",
    "lookup_failed",
    "mail_provider",
    "missing",
]


class RecordState(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"
    WRONG = "wrong"
    CONFLICT = "conflict"
    WARNING = "warning"
    UNKNOWN = "unknown"  # the lookup failed (SERVFAIL, timeout): no verdict, retry later


@dataclass(frozen=True, slots=True)
class Text:
    en: str
    zh: str

    def get(self, lang: str = "en") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en


MESSAGES: dict[str, Text] = {
    "RECORD_MISSING": Text("No {type} record was found at {host}.", "未在 {host} 找到 {type} 记录。"),
    "VALUE_DIFFERS": Text(
        "The {type} record at {host} is '{found}' but should be '{expected}'.",
        "{host} 的 {type} 记录值为“{found}”，应为“{expected}”。",
    ),
    "VALUE_STRAY_SPACES": Text(
        "The value at {host} has stray spaces ({where}); it must be exactly '{expected}'.",
        "{host} 的记录值含有多余的空格（{where_zh}），应与“{expected}”完全一致。",
    ),
    "VALUE_QUOTED": Text(
        "The value at {host} contains quotation marks; enter it without quotes.",
        "{host} 的记录值包含引号，请去掉引号后填写。",
    ),
    "VALUE_EXTRA_TRAILING_DOT": Text(
        "The value at {host} ends with an extra '.'; remove it.",
        "{host} 的记录值末尾多了一个“.”，请删除。",
    ),
    "TARGET_MISSING_TRAILING_DOT": Text(
        "The {type} record at {host} points to {found}: the DNS panel appended your domain to "
        "'{expected}'. Enter the target as '{expected}.' (with a final dot).",
        "{host} 的 {type} 记录指向 {found}：DNS 控制台在“{expected}”后自动追加了您的域名。"
        "请填写为“{expected}.”（末尾带点）。",
    ),
    "HOST_INCLUDES_DOMAIN": Text(
        "A matching record is at {found_host} instead of {host}: enter only '{label}' as the host; the "
        "panel adds '{zone}' itself.",
        "记录被添加到了 {found_host}，而不是 {host}：主机记录只需填写“{label}”，控制台会自动加上“{zone}”。",
    ),
    "MX_PRIORITY_DIFFERS": Text(
        "The MX record for {value} has priority {found}; it should be {expected}.",
        "{value} 的 MX 记录优先级为 {found}，应为 {expected}。",
    ),
    "MX_OTHER_PROVIDER": Text(
        "MX records of {provider} ({hosts}) are still present, so incoming mail is split between "
        "providers. Delete them once your mailboxes have moved.",
        "仍存在 {provider} 的 MX 记录（{hosts}），来信会被分流到原服务商。邮箱迁移完成后请删除这些记录。",
    ),
    "MX_UNKNOWN_EXTRA": Text(
        "Other MX records ({hosts}) are present; mail may be delivered to them. Delete them.",
        "存在其他 MX 记录（{hosts}），邮件可能被投递到那里，请删除。",
    ),
    "NULL_MX": Text(
        "The domain publishes a null MX ('0 .'), which says it accepts no mail; delete it.",
        "该域名发布了空 MX 记录（“0 .”），表示不接收任何邮件，请删除。",
    ),
    "SPF_MULTIPLE": Text(
        "There are {count} SPF records; a domain may have only one (RFC 7208 §4.5), so receivers "
        "treat SPF as broken. Merge them into one: {merged}",
        "存在 {count} 条 SPF 记录，一个域名只能有一条（RFC 7208 §4.5），收件方会判定 SPF 无效。"
        "请合并为一条：{merged}",
    ),
    "SPF_INCLUDE_MISSING": Text(
        "The SPF record does not include {include}, so our servers may not send for your domain. Use: "
        "{suggested}",
        "SPF 记录未包含 {include}，本服务的服务器无权代表您的域名发信。请改为：{suggested}",
    ),
    "SPF_OTHER_PROVIDER": Text(
        "The SPF record still authorises {provider} ({include}); remove it when you no longer send "
        "through it.",
        "SPF 记录仍授权了 {provider}（{include}），不再通过其发信后请删除。",
    ),
    "SPF_SYNTAX": Text("The SPF record is invalid: {detail}.", "SPF 记录格式错误：{detail}。"),
    "SPF_LOOKUP_LIMIT": Text(
        "The SPF record needs {count} DNS lookups; the limit is {limit} (RFC 7208 §4.6.4), so "
        "receivers report a permanent error. Remove includes you do not need.",
        "SPF 记录需要 {count} 次 DNS 查询，超过 {limit} 次的上限（RFC 7208 §4.6.4），"
        "收件方会判定为永久错误。请删除不需要的 include。",
    ),
    "SPF_VOID_LOOKUPS": Text(
        "The SPF record refers to {count} names without records (limit {limit}): {detail}.",
        "SPF 记录引用了 {count} 个没有记录的名称（上限 {limit}）：{detail}。",
    ),
    "SPF_PASS_ALL": Text(
        "'+all' lets anyone send as your domain; end the record with '~all' or '-all'.",
        "“+all”允许任何人冒用您的域名发信，请以“~all”或“-all”结尾。",
    ),
    "SPF_PTR": Text(
        "The 'ptr' mechanism is slow and discouraged (RFC 7208 §5.5); remove it.",
        "“ptr”机制效率低且不建议使用（RFC 7208 §5.5），请删除。",
    ),
    "DKIM_TAG_SYNTAX": Text("The DKIM record has a malformed tag.", "DKIM 记录中存在格式错误的标签。"),
    "DKIM_VERSION_WRONG": Text(
        "The DKIM record must start with 'v=DKIM1'.",
        "DKIM 记录必须以“v=DKIM1”开头。",
    ),
    "DKIM_KEY_TYPE_UNKNOWN": Text(
        "The DKIM record has an unknown key type (k=); use k={key_type}.",
        "DKIM 记录的密钥类型（k=）无效，应为 k={key_type}。",
    ),
    "DKIM_KEY_MISSING": Text("The DKIM record has no public key (p=).", "DKIM 记录缺少公钥（p=）。"),
    "DKIM_KEY_REVOKED": Text(
        "The DKIM record has an empty key (p=), which means the key is revoked.",
        "DKIM 记录的公钥（p=）为空，表示密钥已被吊销。",
    ),
    "DKIM_BAD_BASE64": Text(
        "The DKIM public key (p=) is not valid base64; it was probably cut or mistyped when copied.",
        "DKIM 公钥（p=）不是有效的 base64 编码，可能在复制时被截断或改动。",
    ),
    "DKIM_KEY_TYPE_MISMATCH": Text(
        "The DKIM key type (k=) does not match the key in p=; use k={key_type}.",
        "DKIM 密钥类型（k=）与 p= 中的公钥不符，应为 k={key_type}。",
    ),
    "DKIM_KEY_UNPARSABLE": Text(
        "The DKIM public key (p=) is not a valid key; it was probably cut when copied.",
        "DKIM 公钥（p=）不是有效的密钥，可能在复制时被截断。",
    ),
    "DKIM_KEY_MISMATCH": Text(
        "The DKIM record at {host} holds a different key than ours; replace its value.",
        "{host} 的 DKIM 记录中的公钥与本服务的不一致，请替换记录值。",
    ),
    "DKIM_MULTIPLE": Text(
        "There are {count} TXT records at {host}; keep only the DKIM key record.",
        "{host} 存在 {count} 条 TXT 记录，请只保留 DKIM 公钥记录。",
    ),
    "DMARC_MULTIPLE": Text(
        "There are {count} DMARC records; receivers ignore DMARC when there is more than one "
        "(RFC 7489 §6.6.3).",
        "存在 {count} 条 DMARC 记录，存在多条时收件方会忽略 DMARC（RFC 7489 §6.6.3）。",
    ),
    "DMARC_NOT_DMARC": Text(
        "The record at {host} does not start with 'v=DMARC1'.",
        "{host} 的记录不是以“v=DMARC1”开头。",
    ),
    "DMARC_TAG_SYNTAX": Text("The DMARC record has a malformed tag.", "DMARC 记录中存在格式错误的标签。"),
    "DMARC_POLICY_MISSING": Text("The DMARC record has no policy (p=).", "DMARC 记录缺少策略（p=）。"),
    "DMARC_POLICY_INVALID": Text(
        "The DMARC policy must be none, quarantine or reject.",
        "DMARC 策略必须为 none、quarantine 或 reject。",
    ),
    "DMARC_ALIGNMENT_INVALID": Text(
        "adkim= and aspf= must be 'r' or 's'.",
        "adkim= 和 aspf= 只能为“r”或“s”。",
    ),
    "DMARC_PCT_INVALID": Text("pct= must be a number from 0 to 100.", "pct= 必须是 0 到 100 之间的数字。"),
    "DMARC_URI_INVALID": Text(
        "rua=/ruf= must be a list of URIs such as mailto:dmarc@example.com.",
        "rua=/ruf= 必须是 URI 列表，例如 mailto:dmarc@example.com。",
    ),
    "DMARC_POLICY_NONE": Text(
        "The DMARC policy is 'none': forged mail is only reported, not stopped.",
        "DMARC 策略为“none”：伪造邮件只会被报告，不会被拦截。",
    ),
    "DMARC_RECOMMENDED": Text(
        "No DMARC record: it is recommended, so receivers know how to treat forged mail.",
        "未设置 DMARC 记录：建议添加，以便收件方处理伪造邮件。",
    ),
    "CNAME_CONFLICT": Text(
        "{host} has a CNAME and also {types} records; a CNAME must be alone at its name (RFC 1034 §3.6.2).",
        "{host} 同时存在 CNAME 和 {types} 记录；CNAME 记录不能与其他记录共存（RFC 1034 §3.6.2）。",
    ),
    "DNS_LOOKUP_FAILED": Text(
        "The DNS lookup for {host} failed ({reason}); the check will be repeated.",
        "查询 {host} 失败（{reason}），稍后将重新检查。",
    ),
    "DOMAIN_HAS_WWW": Text(
        "'{domain}' starts with 'www.', which belongs to the website; did you mean {suggestion}?",
        "“{domain}”以“www.”开头，这是网站地址；您是否要使用 {suggestion}？",
    ),
    "DOMAIN_NOT_FOUND": Text(
        "The domain {domain} does not exist in DNS: check the spelling and that it is registered and not "
        "expired.",
        "域名 {domain} 在 DNS 中不存在：请检查拼写，并确认域名已注册且未过期。",
    ),
    "DNS_HOSTED_AT": Text(
        "Your domain's DNS is served by {provider} ({nameservers}); add the records there. Records added "
        "at another DNS provider or registrar have no effect.",
        "您域名的 DNS 由 {provider}（{nameservers}）负责解析，请在那里添加记录；"
        "在其他 DNS 服务商或注册商处添加的记录不会生效。",
    ),
    "ZONE_IS_PARENT": Text(
        "{domain} is part of the DNS zone {zone}: add the records in that zone with the host names shown.",
        "{domain} 属于 DNS 区域 {zone}：请在该区域中按所示主机记录添加。",
    ),
}

INSTRUCTIONS = {
    "add": Text(
        "Add a {type} record: host '{label}', value '{value}', TTL {ttl}.",
        "添加 {type} 记录：主机记录“{label}”，记录值“{value}”，TTL {ttl}。",
    ),
    "change": Text(
        "Set the {type} record at host '{label}' to exactly: {value}",
        "将主机记录“{label}”的 {type} 记录值设置为：{value}",
    ),
    "delete": Text(
        "Delete the {type} record at host '{label}': {value}", "删除主机记录“{label}”的 {type} 记录：{value}"
    ),
}

# (name, MX host suffixes, SPF include suffixes); matched on the name or any parent of it.
MAIL_PROVIDERS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Tencent Exmail (腾讯企业邮)",
        ("exmail.qq.com", "mxbiz1.qq.com", "mxbiz2.qq.com"),
        ("spf.mail.qq.com",),
    ),
    ("NetEase Qiye (网易企业邮)", ("qiye.163.com", "mxmail.netease.com", "qiye163.com"), ("spf.163.com",)),
    (
        "Alibaba Mail (阿里企业邮)",
        ("qiye.aliyun.com", "mxhichina.com"),
        ("spf.mxhichina.com", "qiye.aliyun.com"),
    ),
    ("Huawei Cloud Mail (华为云企业邮)", ("huaweicloud.com", "myhuaweicloud.com"), ("huaweicloud.com",)),
    ("Feishu Mail (飞书邮箱)", ("feishu.cn", "larksuite.com"), ("feishu.cn", "larksuite.com")),
    ("263 Mail (263企业邮)", ("263.net", "263xmail.com"), ("263.net", "263xmail.com")),
    ("Google Workspace", ("google.com", "googlemail.com"), ("_spf.google.com",)),
    ("Microsoft 365", ("protection.outlook.com", "outlook.com"), ("spf.protection.outlook.com",)),
    ("Zoho Mail", ("zoho.com", "zoho.com.cn", "zoho.eu"), ("zoho.com", "zoho.com.cn", "zoho.eu")),
)

DNS_PROVIDERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "DNSPod (腾讯云 DNSPod)",
        ("dnspod.net", "dnspod.com", "dnsv1.com", "dnsv2.com", "dnsv3.com", "dnsv4.com"),
    ),
    ("Alibaba Cloud DNS (阿里云解析)", ("hichina.com", "alidns.com")),
    ("Huawei Cloud DNS (华为云解析)", ("huaweicloud-dns.com", "huaweicloud-dns.net", "huaweicloud-dns.cn")),
    ("Baidu Cloud DNS (百度智能云解析)", ("bdydns.com", "bdydns.cn")),
    ("West.cn (西部数码)", ("myhostadmin.net",)),
    ("Xinnet (新网)", ("xincache.com", "xinnet.cn")),
    ("Cloudflare", ("cloudflare.com",)),
    ("Amazon Route 53", ("awsdns-",)),
    ("GoDaddy", ("domaincontrol.com",)),
    ("Google Cloud DNS", ("googledomains.com",)),
    ("Azure DNS", ("azure-dns.com", "azure-dns.net", "azure-dns.org", "azure-dns.info")),
)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> Text:
        template = MESSAGES[self.code]
        return Text(_fill(template.en, self.params), _fill(template.zh, self.params))

    def as_dict(self) -> dict[str, object]:
        text = self.text
        return {"code": self.code, "en": text.en, "zh": text.zh}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    state: RecordState
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    instructions: tuple[Text, ...] = ()


def _fill(template: str, params: Mapping[str, object]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def _instruction(kind: str, record: ExpectedRecord, label: str, value: str | None = None) -> Text:
    params: dict[str, object] = {
        "type": record.type,
        "label": label,
        "value": value if value is not None else record.display_value(),
        "ttl": record.ttl,
    }
    return _text(INSTRUCTIONS[kind], params)


def _text(template: Text, params: Mapping[str, object]) -> Text:
    return Text(_fill(template.en, params), _fill(template.zh, params))


def _matches_suffix(host: str, suffixes: Sequence[str]) -> bool:
    host = host.rstrip(".").lower()
    return any(
        host == suffix or host.endswith("." + suffix) or (suffix.endswith("-") and suffix in host)
        for suffix in suffixes
    )


def mail_provider(host: str, spf_include: bool = False) -> str | None:
    """Name the mail provider behind an MX host (or an SPF include name)."""
    for name, mx_suffixes, spf_suffixes in MAIL_PROVIDERS:
        if _matches_suffix(host, spf_suffixes if spf_include else mx_suffixes):
            return name
    return None


def missing(record: ExpectedRecord, label: str) -> Diagnosis:
    finding = Finding("RECORD_MISSING", {"type": record.type, "host": record.host})
    if not record.required:
        return Diagnosis(
            RecordState.MISSING, warnings=(finding,), instructions=(_instruction("add", record, label),)
        )
    return Diagnosis(RecordState.MISSING, (finding,), instructions=(_instruction("add", record, label),))


def lookup_failed(record: ExpectedRecord, reason: str) -> Diagnosis:
    finding = Finding("DNS_LOOKUP_FAILED", {"host": record.host, "reason": reason})
    return Diagnosis(RecordState.UNKNOWN, warnings=(finding,))


def doubled_host(record: ExpectedRecord, found_host: str, label: str, zone: str) -> Diagnosis:
    """The record exists at ``<host>.<zone>``: the full name was typed into a relative host field."""
    params: dict[str, object] = {"host": record.host, "found_host": found_host, "label": label, "zone": zone}
    fix = (
        _instruction("delete", record, _relative(found_host, zone)),
        _instruction("add", record, label),
    )
    return Diagnosis(RecordState.WRONG, (Finding("HOST_INCLUDES_DOMAIN", params),), instructions=fix)


def _relative(host: str, zone: str) -> str:
    return host[: -len(zone) - 1] if host.endswith("." + zone) else host


def _value_difference(record: ExpectedRecord, found: str) -> Finding:
    """How ``found`` differs from the expected text: spaces, quotes, a trailing dot, or simply different."""
    expected = record.value
    params: dict[str, object] = {
        "type": record.type,
        "host": record.host,
        "found": found,
        "expected": expected,
    }
    if '"' in found and found.replace('"', "").strip() in (expected, expected.replace(" ", "")):
        return Finding("VALUE_QUOTED", params)
    if '"' in found and "".join(found.replace('"', "").split()) == "".join(expected.split()):
        return Finding("VALUE_QUOTED", params)
    if "".join(found.split()) == "".join(expected.split()):
        where: list[str] = []
        where_zh: list[str] = []
        if found[:1].isspace():
            where, where_zh = [*where, "at the start"], [*where_zh, "开头"]
        if found[-1:].isspace():
            where, where_zh = [*where, "at the end"], [*where_zh, "结尾"]
        if " ".join(found.split()) != " ".join(expected.split()) or "  " in found.strip():
            where, where_zh = [*where, "inside the value"], [*where_zh, "中间"]
        params |= {"where": ", ".join(where) or "inside the value", "where_zh": "、".join(where_zh) or "中间"}
        return Finding("VALUE_STRAY_SPACES", params)
    if found.rstrip() == expected + ".":
        return Finding("VALUE_EXTRA_TRAILING_DOT", params)
    return Finding("VALUE_DIFFERS", params)


def diagnose_text(record: ExpectedRecord, found: Sequence[str], label: str) -> Diagnosis:
    """A TXT record that must hold exactly the expected text (ownership token, MTA-STS, TLS-RPT)."""
    if record.value in found:
        return Diagnosis(RecordState.OK)
    if not found:
        return missing(record, label)
    errors = tuple(_value_difference(record, value) for value in found)
    state = RecordState.WRONG if record.required else RecordState.WARNING
    change = (_instruction("change", record, label),)
    return Diagnosis(state, errors if record.required else (), () if record.required else errors, change)


def diagnose_mx(
    record: ExpectedRecord, found: Sequence[tuple[int, str]], our_hosts: Sequence[str], zone: str, label: str
) -> Diagnosis:
    """One of our MX rows, judged against every MX of the domain (RFC 5321 §5.1)."""
    errors: list[Finding] = []
    warnings: list[Finding] = []
    instructions: list[Text] = []
    ours = {host.lower() for host in our_hosts}
    if len(found) == 1 and found[0][1] == ".":
        errors.append(Finding("NULL_MX"))  # RFC 7505
        instructions.append(_instruction("delete", record, label, "0 ."))
    # A host of ours with the zone appended lost its final dot in the panel: ours, mis-typed, not foreign.
    chopped = {host for _, host in found for own in ours if host == f"{own}.{zone}"}
    mine = [pref for pref, host in found if host == record.value]
    state = RecordState.OK
    if not mine:
        if f"{record.value}.{zone}" in chopped:
            params: dict[str, object] = {
                "type": "MX",
                "host": record.host,
                "found": f"{record.value}.{zone}",
                "expected": record.value,
            }
            errors.append(Finding("TARGET_MISSING_TRAILING_DOT", params))
            instructions.append(_instruction("change", record, label))
            state = RecordState.WRONG
        else:
            errors.append(Finding("RECORD_MISSING", {"type": "MX", "host": record.host}))
            instructions.append(_instruction("add", record, label))
            state = RecordState.MISSING
    elif record.preference is not None and record.preference not in mine:
        params = {"value": record.value, "found": mine[0], "expected": record.preference}
        warnings.append(Finding("MX_PRIORITY_DIFFERS", params))
        instructions.append(_instruction("change", record, label))
        state = RecordState.WARNING
    foreign = [(pref, host) for pref, host in found if host not in ours | chopped and host != "."]
    by_provider: dict[str, list[str]] = {}
    unknown: list[str] = []
    for _pref, host in foreign:
        provider = mail_provider(host)
        if provider:
            by_provider.setdefault(provider, []).append(host)
        else:
            unknown.append(host)
    for provider, hosts in by_provider.items():
        errors.append(Finding("MX_OTHER_PROVIDER", {"provider": provider, "hosts": ", ".join(hosts)}))
    if unknown:
        errors.append(Finding("MX_UNKNOWN_EXTRA", {"hosts": ", ".join(unknown)}))
    for pref, host in foreign:
        instructions.append(_instruction("delete", record, label, f"{pref} {host}"))
    if foreign and state in (RecordState.OK, RecordState.WARNING):
        state = RecordState.CONFLICT
    if errors and state is RecordState.OK:
        state = RecordState.WRONG
    return Diagnosis(state, tuple(errors), tuple(warnings), tuple(instructions))


def diagnose_spf(
    record: ExpectedRecord, include: str, found: Sequence[str], lookups: LookupCount | None, label: str
) -> Diagnosis:
    """The domain's single SPF record must include ours (RFC 7208 §4.5, §5.2) and stay within limits."""
    records = [text for text in found if is_spf_record(text)]
    change = (_instruction("change", record, label),)
    if not records:
        near = [text for text in found if "v=spf1" in text.lower()]
        if near:
            return Diagnosis(RecordState.WRONG, (_value_difference(record, near[0]),), instructions=change)
        return missing(record, label)
    if len(records) > 1:
        merged = _merge_spf(records, include, record.value)
        params = {"count": len(records), "merged": merged}
        fix = (_instruction("change", record, label, merged),)
        return Diagnosis(RecordState.CONFLICT, (Finding("SPF_MULTIPLE", params),), instructions=fix)
    text = records[0]
    try:
        parsed = parse_spf(text)
    except SpfSyntaxError as exc:
        return Diagnosis(
            RecordState.WRONG, (Finding("SPF_SYNTAX", {"detail": str(exc)}),), instructions=change
        )
    errors: list[Finding] = []
    warnings: list[Finding] = []
    instructions: list[Text] = []
    includes = [(t.argument or "").rstrip(".").lower() for t in parsed.terms if t.mechanism == "include"]
    if include.lower() not in includes:
        suggested = _merge_spf([text], include, record.value)
        errors.append(Finding("SPF_INCLUDE_MISSING", {"include": include, "suggested": suggested}))
        instructions.append(_instruction("change", record, label, suggested))
    for other in includes:
        provider = mail_provider(other, spf_include=True)
        if provider and other != include.lower():
            warnings.append(Finding("SPF_OTHER_PROVIDER", {"provider": provider, "include": other}))
    if lookups is not None and lookups.over_limit:
        errors.append(Finding("SPF_LOOKUP_LIMIT", {"count": lookups.lookups, "limit": LOOKUP_LIMIT}))
    if lookups is not None and lookups.void_lookups > VOID_LOOKUP_LIMIT:
        detail = "; ".join(lookups.problems)
        params = {"count": lookups.void_lookups, "limit": VOID_LOOKUP_LIMIT, "detail": detail}
        warnings.append(Finding("SPF_VOID_LOOKUPS", params))
    if any(t.mechanism == "all" and t.qualifier == "+" for t in parsed.terms):
        warnings.append(Finding("SPF_PASS_ALL"))
    if any(t.mechanism == "ptr" for t in parsed.terms):
        warnings.append(Finding("SPF_PTR"))
    state = RecordState.WRONG if errors else RecordState.WARNING if warnings else RecordState.OK
    return Diagnosis(state, tuple(errors), tuple(warnings), tuple(instructions))


def _merge_spf(records: Sequence[str], include: str, fallback: str) -> str:
    """One record: our include first, then every distinct term of ``records``, then one ``all``.

    A single record keeps its own ``all``; several records (which disagree) get the deployment's.
    """
    terms: list[str] = []
    alls: list[str] = []
    for text in sorted(records):
        for token in text.split()[1:]:
            if token.lower().lstrip("+-~?") == "all":
                alls.append(token)
            elif token.lower() not in (t.lower() for t in terms):
                terms.append(token)
    ours = f"include:{include}"
    if ours.lower() not in (t.lower() for t in terms):
        terms.insert(0, ours)
    final_all = alls[0] if len(records) == 1 and alls else fallback.split()[-1]
    return " ".join(["v=spf1", *terms, final_all])


def diagnose_dkim(record: ExpectedRecord, found: Sequence[str], label: str) -> Diagnosis:
    """The key record at ``<selector>._domainkey`` (RFC 6376 §3.6.1) must hold our public key."""
    if record.value in found:
        return Diagnosis(RecordState.OK)
    if not found:
        return missing(record, label)
    change = (_instruction("change", record, label),)
    warnings: list[Finding] = []
    if len(found) > 1:
        warnings.append(Finding("DKIM_MULTIPLE", {"count": len(found), "host": record.host}))
    expected_key = parse_key_record(record.value)
    candidates = [text for text in found if "p=" in text] or list(found)
    text = candidates[0]
    parsed = parse_key_record(text)
    if parsed.problems:
        errors = [Finding(code, {"key_type": expected_key.key_type}) for code in parsed.problems]
        if '"' in text:
            errors.insert(0, _value_difference(record, text))
        return Diagnosis(RecordState.WRONG, tuple(errors), tuple(warnings), change)
    if parsed.public_key != expected_key.public_key:
        return Diagnosis(
            RecordState.WRONG, (Finding("DKIM_KEY_MISMATCH", {"host": record.host}),), tuple(warnings), change
        )
    # Same key, different text: spaces or tag order. Valid (FWS is allowed in p=), but fragile.
    difference = _value_difference(record, text)
    if difference.code == "VALUE_STRAY_SPACES":
        warnings.append(difference)
    return Diagnosis(RecordState.WARNING if warnings else RecordState.OK, (), tuple(warnings), change)


def diagnose_dmarc(record: ExpectedRecord, found: Sequence[str], label: str) -> Diagnosis:
    """``_dmarc`` (RFC 7489 §6.1): recommended; one valid record with a policy other than none is best."""
    records = [text for text in found if is_dmarc_record(text)]
    add = (_instruction("add", record, label),)
    if not records:
        if found:
            finding = Finding("DMARC_NOT_DMARC", {"host": record.host})
            return Diagnosis(
                RecordState.WRONG, (finding,), instructions=(_instruction("change", record, label),)
            )
        return Diagnosis(RecordState.MISSING, warnings=(Finding("DMARC_RECOMMENDED"),), instructions=add)
    if len(records) > 1:
        finding = Finding("DMARC_MULTIPLE", {"count": len(records)})
        return Diagnosis(
            RecordState.CONFLICT, (finding,), instructions=(_instruction("change", record, label),)
        )
    parsed = parse_dmarc(records[0])
    if parsed.problems:
        errors = tuple(Finding(code, {"host": record.host}) for code in parsed.problems)
        return Diagnosis(RecordState.WRONG, errors, instructions=(_instruction("change", record, label),))
    if parsed.policy is DmarcPolicy.NONE:
        return Diagnosis(RecordState.WARNING, warnings=(Finding("DMARC_POLICY_NONE"),))
    return Diagnosis(RecordState.OK)


def cname_conflict(host: str, types: Sequence[str]) -> Finding:
    return Finding("CNAME_CONFLICT", {"host": host, "types": "/".join(sorted(set(types)))})


def diagnose_cname(
    record: ExpectedRecord, found: Sequence[str], other_types: Sequence[str], zone: str, label: str
) -> Diagnosis:
    """A name that must be a CNAME to our host (``mail.``, ``autoconfig.``): alone, and pointing right."""
    errors: list[Finding] = []
    instructions: list[Text] = []
    if other_types:
        errors.append(cname_conflict(record.host, other_types))
        for kind in sorted(set(other_types)):
            instructions.append(_text(INSTRUCTIONS["delete"], {"type": kind, "label": label, "value": "*"}))
    if record.value in found and not errors:
        return Diagnosis(RecordState.OK)
    if not found:
        instructions.append(_instruction("add", record, label))
        if errors:
            return Diagnosis(RecordState.CONFLICT, tuple(errors), instructions=tuple(instructions))
        return missing(record, label)
    if record.value not in found:
        target = found[0]
        params = {"type": "CNAME", "host": record.host, "found": target, "expected": record.value}
        if target == f"{record.value}.{zone}":
            errors.append(Finding("TARGET_MISSING_TRAILING_DOT", params))
        else:
            errors.append(Finding("VALUE_DIFFERS", params))
        instructions.append(_instruction("change", record, label))
    state = RecordState.CONFLICT if other_types else RecordState.WRONG
    if not record.required:
        return Diagnosis(state, (), tuple(errors), tuple(instructions))
    return Diagnosis(state, tuple(errors), (), tuple(instructions))


def diagnose_domain_name(domain: str) -> list[Finding]:
    """Input-level hints that survive registration (``www.`` kept on purpose or by mistake)."""
    labels = domain.rstrip(".").lower().split(".")
    if labels[0] == "www" and len(labels) > 2:
        return [Finding("DOMAIN_HAS_WWW", {"domain": domain, "suggestion": ".".join(labels[1:])})]
    return []


def dns_host(nameservers: Sequence[str]) -> Finding | None:
    """Who serves the zone, named when we know the provider: records must be added there."""
    if not nameservers:
        return None
    provider = None
    for name, suffixes in DNS_PROVIDERS:
        if any(_matches_suffix(host, suffixes) for host in nameservers):
            provider = name
            break
    if provider is None:
        parents = {".".join(host.split(".")[-2:]) for host in nameservers}
        provider = ", ".join(sorted(parents))
    return Finding("DNS_HOSTED_AT", {"provider": provider, "nameservers": ", ".join(sorted(nameservers))})
