"""Errors of domains, DNS lookups, DKIM keys and domain checks."""

from __future__ import annotations

from yunmail.errors.base import (
    Conflict,
    InvalidInput,
    NotFound,
    Unavailable,
)

# --- domains (PRODUCT §4) ----------------------------------------------------------------------


class DomainNotFound(NotFound):
    code = "DOMAIN_NOT_FOUND"
    en = "Domain not found"
    zh = "域名不存在"


class DomainInvalid(InvalidInput):
    code = "DOMAIN_INVALID"
    en = "'{domain}' is not a valid domain name"
    zh = "“{domain}”不是有效的域名"


class DomainHasWww(InvalidInput):
    code = "DOMAIN_HAS_WWW"
    en = "Enter the mail domain without 'www.': did you mean {suggestion}?"
    zh = "邮件域名请勿包含“www.”，您是否要输入 {suggestion}？"


class DomainLooksLikeAddress(InvalidInput):
    code = "DOMAIN_LOOKS_LIKE_ADDRESS"
    en = "Enter the domain only, not an e-mail address: did you mean {suggestion}?"
    zh = "请只输入域名，不要输入邮箱地址：您是否要输入 {suggestion}？"


class DomainLooksLikeUrl(InvalidInput):
    code = "DOMAIN_LOOKS_LIKE_URL"
    en = "Enter the domain only, not a web address: did you mean {suggestion}?"
    zh = "请只输入域名，不要输入网址：您是否要输入 {suggestion}？"


class DomainOccupied(Conflict):
    code = "DOMAIN_OCCUPIED"
    en = "The domain {domain} has already been added by another enterprise"
    zh = "域名 {domain} 已被其他企业添加"


class DomainAlreadyAdded(Conflict):
    code = "DOMAIN_ALREADY_ADDED"
    en = "Your enterprise has already added {domain}; see its page in the domain list"
    zh = "贵企业已添加域名 {domain}，请在域名列表中查看"


class DomainInUse(Conflict):
    code = "DOMAIN_IN_USE"
    en = (
        "The domain still has {mailboxes} mailbox(es), {aliases} alias(es) and {groups} group(s); "
        "remove them first"
    )
    zh = "该域名下仍有 {mailboxes} 个邮箱、{aliases} 个别名和 {groups} 个邮件组，请先删除"


class DomainModeInvalid(InvalidInput):
    code = "DOMAIN_MODE_INVALID"
    en = "The verification mode must be 'full' or 'ownership'"
    zh = "验证方式须为“完整收发”或“仅验证所有权”"


# --- dns and domain checks ---------------------------------------------------------------------


class DnsNameInvalid(InvalidInput):
    code = "DNS_NAME_INVALID"
    en = "'{name}' is not a valid DNS name"
    zh = "“{name}”不是有效的 DNS 名称"


class DnsLookupFailed(Unavailable):
    """A DNS query got no usable answer (refused, unreachable, malformed); NXDOMAIN/NODATA are not errors."""

    code = "DNS_LOOKUP_FAILED"
    en = "The DNS lookup of {name} ({rdtype}) failed ({reason}); try again later"
    zh = "查询 {name} 的 {rdtype} 记录失败（{reason}），请稍后重试"


class DnsServerFailure(DnsLookupFailed):
    code = "DNS_SERVER_FAILURE"
    en = "The DNS servers answered SERVFAIL for {name} ({rdtype}); try again later"
    zh = "DNS 服务器查询 {name} 的 {rdtype} 记录时返回 SERVFAIL，请稍后重试"


class DnsTimeout(DnsLookupFailed):
    code = "DNS_TIMEOUT"
    en = "The DNS lookup of {name} ({rdtype}) timed out; try again later"
    zh = "查询 {name} 的 {rdtype} 记录超时，请稍后重试"


class DkimKeyInvalid(InvalidInput):
    code = "DKIM_KEY_INVALID"
    en = "The DKIM key is not valid: {detail}"
    zh = "DKIM 密钥无效：{detail}"


# --- domains: DKIM keys and quick add -------------------------------------------------------------


class DkimKeyNotFound(NotFound):
    code = "DKIM_KEY_NOT_FOUND"
    en = "The domain has no DKIM key with selector {selector}"
    zh = "该域名没有选择器为 {selector} 的 DKIM 密钥"


class DkimKeyActive(Conflict):
    code = "DKIM_KEY_ACTIVE"
    en = "The DKIM key {selector} is still signing mail; activate its replacement first"
    zh = "DKIM 密钥 {selector} 仍在用于签名，请先启用替换它的新密钥"


class TsigKeyInvalid(InvalidInput):
    code = "TSIG_KEY_INVALID"
    en = "The TSIG key is not usable: {detail}"
    zh = "TSIG 密钥不可用：{detail}"
