"""Bounce classification: turns a remote SMTP reply, or a failure we met ourselves, into one cause.

Pure code, no I/O. The result (`BounceCause`) carries the cause id, whether the failure is permanent,
the words to show (from `bounce_causes`) and the raw reply, so a bounce can explain itself in plain
language and still show the technical details.

Order of evidence (first hit wins):

1. A *specific* enhanced status code (RFC 3463), e.g. 5.1.1, 5.2.2, 5.3.4, 5.4.6, 5.7.26. These are
   reliable across providers, so they beat the text.
2. The reply text, matched against phrases seen from major providers and every phrase in the FAQ's
   bounce table (case-insensitive, whitespace-tolerant).
3. A *generic* enhanced code used only as a hint, e.g. 5.7.1, 5.1.10, 5.4.1. Generic codes are either
   too broad (5.7.1 is used for spam, relaying and block lists alike) or misused by big providers
   (Microsoft sends 5.1.10 and 5.4.1 for unknown recipients, Yahoo 5.7.9 for policy rejections,
   Gmail 4.2.1 for rate limits), so the text must be allowed to override them.
4. The basic reply code (421, 551, 553, 554, then the 4xx/5xx class).

If ``reply_code`` or ``enhanced`` is missing, they are read from the text: at its start ("550 5.1.1
...", "550-5.1.1 ..."), after a colon ("said: 550 5.1.1 ...") or from a qmail/Exchange marker
("(#5.1.1)"). Only the first ``_MAX_MATCH`` characters of the text are matched against phrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from yunmail.delivery.bounce_causes import BounceCauseId, CauseText, cause_text

_C = BounceCauseId


@dataclass(frozen=True, slots=True)
class BounceCause:
    """One classified delivery failure.

    ``basis`` says which evidence decided, for logs and the admin's message trace:
    ``enhanced:5.1.1``, ``text:<pattern>``, ``hint:5.7.1``, ``reply_code:554``, ``class:5``,
    ``local:<failure>`` or ``none``.
    """

    cause: BounceCauseId
    permanent: bool
    reply_code: int | None
    enhanced: str | None
    text: str
    basis: str

    @property
    def words(self) -> CauseText:
        return cause_text(self.cause)

    @property
    def title_en(self) -> str:
        return self.words.title_en

    @property
    def title_zh(self) -> str:
        return self.words.title_zh

    @property
    def explanation_en(self) -> str:
        return self.words.explanation_en

    @property
    def explanation_zh(self) -> str:
        return self.words.explanation_zh

    @property
    def advice_en(self) -> str:
        return self.words.advice_en

    @property
    def advice_zh(self) -> str:
        return self.words.advice_zh

    def title(self, lang: str = "en") -> str:
        return self.title_zh if _is_zh(lang) else self.title_en

    def explanation(self, lang: str = "en") -> str:
        return self.explanation_zh if _is_zh(lang) else self.explanation_en

    def advice(self, lang: str = "en") -> str:
        return self.advice_zh if _is_zh(lang) else self.advice_en


class LocalFailure(StrEnum):
    """Failures our own outbound transport meets before or instead of a remote reply."""

    DNS_NXDOMAIN = "dns_nxdomain"  # the recipient domain does not exist
    DNS_NO_MAIL_HOST = "dns_no_mail_host"  # no MX and no address record to fall back on
    DNS_TEMPORARY = "dns_temporary"  # SERVFAIL or resolver timeout
    NULL_MX = "null_mx"  # RFC 7505: "MX 0 ."
    CONNECTION_TIMEOUT = "connection_timeout"
    CONNECTION_REFUSED = "connection_refused"
    CONNECTION_LOST = "connection_lost"
    TLS_FAILURE = "tls_failure"
    MAIL_LOOP = "mail_loop"  # MX points back at us, or too many Received headers
    EXPIRED = "expired"  # gave up after the queue's maximum lifetime


# LocalFailure -> (cause, permanent, enhanced status for the DSN we will write).
_LOCAL: dict[LocalFailure, tuple[BounceCauseId, bool, str]] = {
    LocalFailure.DNS_NXDOMAIN: (_C.NO_MX_OR_DNS_FAILURE, True, "5.1.2"),
    LocalFailure.DNS_NO_MAIL_HOST: (_C.NO_MX_OR_DNS_FAILURE, True, "5.4.4"),
    LocalFailure.DNS_TEMPORARY: (_C.NO_MX_OR_DNS_FAILURE, False, "4.4.3"),
    LocalFailure.NULL_MX: (_C.NULL_MX, True, "5.1.10"),
    LocalFailure.CONNECTION_TIMEOUT: (_C.NETWORK_OR_REMOTE_TROUBLE, False, "4.4.1"),
    LocalFailure.CONNECTION_REFUSED: (_C.NETWORK_OR_REMOTE_TROUBLE, False, "4.4.1"),
    LocalFailure.CONNECTION_LOST: (_C.NETWORK_OR_REMOTE_TROUBLE, False, "4.4.2"),
    LocalFailure.TLS_FAILURE: (_C.TLS_FAILURE, False, "4.7.5"),
    LocalFailure.MAIL_LOOP: (_C.MAIL_LOOP, True, "5.4.6"),
    LocalFailure.EXPIRED: (_C.DELIVERY_EXPIRED, True, "4.4.7"),
}

# Enhanced codes whose meaning providers keep to. Keys without a class ("1.1") apply to 4.x and 5.x.
_SPECIFIC: dict[str, BounceCauseId] = {
    "1.1": _C.RECIPIENT_UNKNOWN,  # bad destination mailbox
    "1.2": _C.NO_MX_OR_DNS_FAILURE,  # bad destination system
    "1.3": _C.BAD_ADDRESS_SYNTAX,
    "1.6": _C.RECIPIENT_UNKNOWN,  # mailbox moved, no forwarding
    "1.7": _C.SENDER_ADDRESS_INVALID,  # bad sender mailbox syntax
    "1.8": _C.SENDER_ADDRESS_INVALID,  # bad sender system address
    "5.2.1": _C.ACCOUNT_DISABLED_OR_SUSPENDED,  # only 5.x: Gmail sends 4.2.1 for "too quickly"
    "2.2": _C.MAILBOX_FULL,
    "2.3": _C.MESSAGE_TOO_LARGE,  # message length exceeds administrative limit
    "3.4": _C.MESSAGE_TOO_LARGE,
    "4.4": _C.NO_MX_OR_DNS_FAILURE,  # unable to route
    "4.6": _C.MAIL_LOOP,
    "4.7": _C.DELIVERY_EXPIRED,
    "5.3": _C.TOO_MANY_RECIPIENTS,
    "7.8": _C.AUTHENTICATION_REQUIRED,  # credentials invalid
    "7.10": _C.TLS_FAILURE,  # encryption needed
    "7.11": _C.TLS_FAILURE,
    "7.12": _C.AUTHENTICATION_REQUIRED,
    "7.14": _C.AUTHENTICATION_REQUIRED,
    "7.16": _C.MESSAGE_TOO_LARGE,
    "7.17": _C.RECIPIENT_UNKNOWN,  # RFC 7293: mailbox owner has changed
    "7.18": _C.RECIPIENT_UNKNOWN,  # RFC 7293: domain owner has changed
    "7.20": _C.AUTHENTICATION_REQUIRED,  # RFC 7372: DKIM
    "7.21": _C.AUTHENTICATION_REQUIRED,
    "7.22": _C.AUTHENTICATION_REQUIRED,
    "7.23": _C.AUTHENTICATION_REQUIRED,  # SPF validation failed
    "7.24": _C.AUTHENTICATION_REQUIRED,
    "7.25": _C.AUTHENTICATION_REQUIRED,  # reverse DNS
    "7.26": _C.AUTHENTICATION_REQUIRED,  # multiple checks failed (Gmail: SPF/DKIM/DMARC)
    "7.27": _C.SENDER_ADDRESS_INVALID,  # RFC 7505: sender domain has null MX
    "7.28": _C.RATE_LIMITED,  # mail flood
    "7.29": _C.AUTHENTICATION_REQUIRED,  # ARC
    "7.30": _C.TLS_FAILURE,  # REQUIRETLS
}

# Generic or provider-misused codes: consulted only when no text pattern matched.
_HINTS: dict[str, BounceCauseId] = {
    "1.0": _C.RECIPIENT_UNKNOWN,
    "1.4": _C.RECIPIENT_UNKNOWN,  # ambiguous destination
    "1.10": _C.NULL_MX,  # RFC 7505; Microsoft also uses it for "RecipientNotFound"
    "4.2.1": _C.ACCOUNT_DISABLED_OR_SUSPENDED,
    "3.0": _C.NETWORK_OR_REMOTE_TROUBLE,
    "3.1": _C.NETWORK_OR_REMOTE_TROUBLE,  # mail system full
    "3.2": _C.NETWORK_OR_REMOTE_TROUBLE,  # system not accepting messages
    "3.5": _C.NETWORK_OR_REMOTE_TROUBLE,
    "4.0": _C.NETWORK_OR_REMOTE_TROUBLE,
    "4.1": _C.NETWORK_OR_REMOTE_TROUBLE,  # Microsoft: 5.4.1 for directory-based recipient blocking
    "4.2": _C.NETWORK_OR_REMOTE_TROUBLE,
    "4.3": _C.NO_MX_OR_DNS_FAILURE,  # directory (DNS) server failure
    "4.5": _C.NETWORK_OR_REMOTE_TROUBLE,  # congestion
    "5.7.1": _C.SPAM_OR_CONTENT_REJECTED,  # FAQ: a bare 554/5.7.1 is usually a spam verdict
    "7.2": _C.NOT_ALLOWED_BY_RECIPIENT,  # list expansion prohibited
    "7.4": _C.TLS_FAILURE,  # security features not supported
    "7.5": _C.TLS_FAILURE,  # cryptographic failure
    "7.9": _C.AUTHENTICATION_REQUIRED,  # Yahoo uses 5.7.9 for policy rejections too
    "7.13": _C.ACCOUNT_DISABLED_OR_SUSPENDED,
}

_REPLY_CODES: dict[int, BounceCauseId] = {
    421: _C.NETWORK_OR_REMOTE_TROUBLE,  # service not available, closing channel
    551: _C.RECIPIENT_UNKNOWN,  # user not local
    553: _C.BAD_ADDRESS_SYNTAX,  # mailbox name not allowed
    554: _C.SPAM_OR_CONTENT_REJECTED,  # FAQ: a bare 554 is normally a spam rejection
}


@dataclass(frozen=True, slots=True)
class _Rule:
    cause: BounceCauseId
    label: str  # the phrase as written, for ``BounceCause.basis``
    pattern: re.Pattern[str]
    codes: frozenset[int] | None = None  # rule applies only with one of these reply codes


def _phrases(cause: BounceCauseId, spec: str, codes: frozenset[int] | None = None) -> list[_Rule]:
    """Literal phrases separated by "|"; a space matches any whitespace, or none ("QuotaExceeded")."""
    return [
        _Rule(cause, p.strip(), re.compile(r"\s*".join(map(re.escape, p.split())), re.IGNORECASE), codes)
        for p in spec.split("|")
        if p.strip()
    ]


def _regexes(cause: BounceCauseId, *patterns: str) -> list[_Rule]:
    return [_Rule(cause, p, re.compile(p, re.IGNORECASE)) for p in patterns]


# Ordered: first match wins. Groups sharing words with later groups come first: relaying before
# "authentication required" (Sendmail's "Relaying denied. Proper authentication required"), block
# lists before spam ("spamhaus"), mailbox full before message too large ("mailbox size limit").
# Phrases are separated by "|"; each is matched case-insensitively with flexible whitespace.
_RULES: tuple[_Rule, ...] = (
    # Phrases that contain another group's words.
    *_phrases(_C.MESSAGE_TOO_LARGE, "mail size or count over quota"),
    *_phrases(_C.MAILBOX_FULL, "looks like spam mail box is full | tried to reach is over quota"),
    *_phrases(_C.ACCOUNT_DISABLED_OR_SUSPENDED, "tried to reach is disabled | tried to reach is inactive"),
    *_phrases(
        _C.BLACKLISTED_IP_OR_SENDER,
        # Gmail and Outlook.com telling a dynamic/unlisted IP to use its provider's relay.
        "not authorized to send email directly to our servers | does not relay dynamically-assigned"
        " | dynamic ip",
    ),
    *_phrases(
        _C.RELAYING_DENIED,
        "relay access denied | relaying denied | relay denied | relay deny | relay is not allowed"
        " | relay not allowed | relaying not allowed | relay not permitted | not permitted to relay"
        " | unable to relay | isn't allowed to be relayed | isn't allowed to relay"
        " | doesn't supply open relay | host denies relay | we do not relay"
        # qmail's rcpthosts and NetEase's MX-only replies: this server does not host the domain.
        " | in my list of allowed rcpthosts | domain isn't in my list of allowed | local user only"
        " | no smtp mx only | isn't a local account | rp:frl | 不允许中继",
    ),
    # Before recipient rules: Exim's sender check says "Unrouteable address" about the sender.
    *_phrases(
        _C.SENDER_ADDRESS_INVALID,
        "sender verify failed | sender verification failed | sender address rejected: domain not found"
        " | sender address rejected: need fully-qualified | domain of sender address"
        " | sender domain must exist | sender domain not found | null sender is not allowed"
        " | invalid sender | mi:imf",
    ),
    *_regexes(_C.VIRUS, r"virus", r"\binfected\b", r"malware", r"病毒"),
    *_phrases(
        _C.FORBIDDEN_ATTACHMENT,
        "illegal attachment | the file attached violates | attachment type | attachments of this type"
        " | unacceptable attachment | prohibited attachment | blocked attachment | dangerous attachment"
        " | attachment is not allowed | attachment not allowed | potential security issue"
        " | file extension | executable | 附件类型",
    ),
    *_phrases(
        _C.TOO_MANY_RECIPIENTS,
        "too many recipients | too much recipient | too many rcpt | maximum number of recipients"
        " | number of recipients exceeds | recipient limit | rp:rcl | 收件人数量超 | 收件人过多",
    ),
    *_phrases(
        _C.RATE_LIMITED,
        "rate limit | rate-limit | frequency limit | unusual rate | receiving mail too quickly"
        " | receiving mail at a rate | sending quota exceeded | sending limit exceeded"
        " | too many concurrent | too many connections | too many messages | too many mails"
        " | unexpected volume | throttl | mail flood | org out rcpt count is exceeded"
        # NetEase per-IP, per-connection and per-sender limits.
        " | hl:icc | hl:ifc | mi:cel | mi:dmc | mi:ccl | mi:sfq | mi:stc | rp:drc | rp:ccl | rp:cel"
        " | rp:qrc | rp:trc | 频率 | 过于频繁",
    ),
    *_regexes(_C.RATE_LIMITED, r"\[tss?\d+\]"),  # Yahoo deferral tags
    *_phrases(
        _C.AUTHENTICATION_REQUIRED,
        "authentication is required | authentication required | requires authentication | need auth"
        " | auth failed | authentication failed | authentication failure | too much fail authentication"
        " | auth error limit | delivery not authorized | unauthenticated | not authenticated"
        " | sendernotauthenticated | resolver.rst.authrequired | sender id (pra)"
        " | sender policy framework | spf | dkim | dmarc | reverse dns | ptr record"
        " | cannot find your hostname | cannot find your reverse hostname | helo command rejected"
        # NetEase: SPF, DMARC, empty HELO, envelope/header sender mismatch.
        " | mi:spf | mi:dma | mi:nhd | dt:sum | 身份验证",
    ),
    *_phrases(
        _C.BLACKLISTED_IP_OR_SENDER,
        "spamhaus | spamcop | barracuda | blocked using | blacklist | black list | blocklist"
        " | block list | denylist | dnsbl | ip blocked | ip is rejected | ip is blocked | badmailfrom"
        " | banned sending ip | traffic not accepted from this ip | reputation | sender is rejected"
        " | sender address rejected: access denied | client host rejected: access denied"
        " | mail reject by cac"  # China Anti-Spam Coalition list
        " | hl:ihu | hl:ipb | hl:rep | hl:mep | dt:rbl | wm:bli | wm:blu | mi:spb | 黑名单",
    ),
    *_regexes(
        _C.BLACKLISTED_IP_OR_SENDER,
        r"\brbl\b",
        r"\bip:b\w*",  # NetEase IP:BLxx
        r"\[bl\d+\]",  # Yahoo block tags
        r"\bmail from \S+ refused",
        r"\blisted (at|on|in)\b",
    ),
    # FAQ: "554 Service unavailable" is a block-list answer; other codes mean the server is down.
    *_phrases(_C.BLACKLISTED_IP_OR_SENDER, "service unavailable", codes=frozenset({554})),
    *_phrases(_C.NULL_MX, "nullmx | null mx"),
    *_regexes(_C.NULL_MX, r"domain \S+ does not accept mail"),
    *_phrases(
        _C.MAILBOX_FULL,
        "mailbox full | mailbox is full | mail box is full | mailbox size limit | mailbox has exceeded"
        " | quota exceed | over quota | out of quota | exceeded storage allocation | disk quota"
        " | out of mailbox | insufficient mailbox | dt:uqt | 邮箱已满 | 空间已满 | 空间不足 | 容量已满",
    ),
    *_regexes(_C.MAILBOX_FULL, r"over (the )?(allowed )?quota"),
    *_phrases(
        _C.ACCOUNT_DISABLED_OR_SUSPENDED,
        # FAQ: "deliver to local org only" means the mailbox expired or is locked.
        "user suspended | user disabled | deliver to local org only | 已冻结 | 已停用 | 已禁用 | 被锁定",
    ),
    *_regexes(
        _C.ACCOUNT_DISABLED_OR_SUSPENDED,
        r"\b(account|mailbox|user)\s+(is\s+|has\s+been\s+)?(temporarily\s+)?"
        r"(disabled?|suspended|frozen|locked|inactive|deactivated|expired)\b",
    ),
    *_phrases(
        _C.BAD_ADDRESS_SYNTAX,
        "bad address syntax | bad recipient address syntax | bad syntax | syntax error | address syntax"
        " | invalid character | invalid address format | malformed address | malformed recipient"
        " | illegal address | 格式错误 | 格式不正确",
    ),
    *_phrases(
        _C.RECIPIENT_UNKNOWN,
        "recipient unknown | unknown recipient | invalid recipient | recipients are invalid"
        " | rcpt account is invalid | no valid recipients | not our customer | user unknown"
        " | unknown user | user not known | user not found | user not local | invalid user"
        " | unavailable mail user | not user of this server | is not my user | no such user"
        " | no such recipient | no such mailbox | no such person | local no so user"
        " | local server don't exists that user | this user doesn't have a"
        " | the email account that you tried to reach | unrouteable address"
        " | mailbox currently unavailable | mailbox unavailable | mailbox not found | mailbox unknown"
        " | unknown mailbox | invalid mailbox | no mailbox by that name | no mailbox here by that name"
        " | account unavailable | invalid address | address unknown | not our mx service"
        " | not found in ldap | recipnotfound | recipientnotfound | recipient not found"
        " | recipient address rejected: access denied"  # Microsoft directory-based edge blocking
        " | not in my validrcptto | 用户不存在 | 收件人不存在 | 地址不存在 | 账号不存在 | 帐号不存在"
        " | 账户不存在",
    ),
    *_regexes(
        _C.RECIPIENT_UNKNOWN,
        r"\b(user|account|address|recipient|mailbox|rcpt)(\s*\([^)]*\)|\s*<[^>]*>)?\s+"
        r"(does\s*not|doesn'?t|dosn'?t|not)\s+exists?\b",
        r"\ba not found\b",
    ),
    *_phrases(
        _C.MESSAGE_TOO_LARGE,
        "maximum message size | mailsizelimit | mailsize limit | size limit exceeded"
        " | exceeds size limit | larger than maximum | message is too long | message too large"
        " | message is too large | message too big | message is too big | message file too big"
        " | message size limit | message length exceeds | databytes | sizelimit | too large"
        " | 邮件过大 | 邮件大小超",
    ),
    *_regexes(_C.MESSAGE_TOO_LARGE, r"\bsize\s+exceed"),
    *_phrases(
        _C.NO_MX_OR_DNS_FAILURE,
        "dns can not resolve | can not resolve domain | cannot resolve | unable to resolve"
        " | dns query error | mx query return retry | host or domain name not found"
        " | name service error | domain not found | no such domain | domain does not exist"
        " | nonexistentdomain | non-existent domain | nonexistent domain | nxdomain | no mx record"
        " | couldn't find any host named | couldn't find a mail exchanger | 域名不存在",
    ),
    *_phrases(_C.TLS_FAILURE, "starttls | certificate | handshake | ssl"),
    *_regexes(_C.TLS_FAILURE, r"\btls\b"),
    *_phrases(
        _C.MAIL_LOOP,
        "looping | loops back to myself | mail loop | routing loop | too many hops | hop count exceeded"
        ' | too many received headers | too many "received" headers | delivered-to line',
    ),
    *_phrases(
        _C.NETWORK_OR_REMOTE_TROUBLE,
        "timeout | timed out | disconnected | close by peer | closed by peer | connection reset"
        " | connection refused | connection died | lost connection | smtp connect error"
        " | can not connect | cannot connect | could not connect | unable to connect"
        " | establish an smtp connection | network is unreachable | no route to host"
        " | service not ready | service not available | service unavailable"
        " | service temporarily unavailable | resources unavailable temporarily | too busy"
        " | server is busy | server busy | temporary local problem | temporary failure"
        " | temporary system failure | temporarily deferred | insufficient system storage"
        " | local error in processing | server configuration problem | access deny reply to remote"
        " | query domain retry | try again later | greylist | graylist",
    ),
    *_phrases(
        _C.NOT_ALLOWED_BY_RECIPIENT,
        "address blocked | rcpt reject | user reject | recipient rejected | address rejected"
        " | recipient is not accepted | not allowed to send email to this user | not allowed to send to"
        " | resolver.rst.notauthorized | blocked by recipient | rejected by recipient | 拒收",
    ),
    *_phrases(
        _C.SPAM_OR_CONTENT_REJECTED,
        "spam | dt:spm | cac垃圾通道 | 垃圾 | rejected by keyword | dgproxy | content reject"
        " | content denied | content filter | message not allowed | denied by policy"
        " | policy violation | policy reasons | violates | message refused | message was rejected"
        " | message rejected | mail rejected | permanently rejected message | rejected by system"
        " | unsolicited | inappropriate | suspicious | phishing | junk | message filtered",
    ),
    *_regexes(
        _C.SPAM_OR_CONTENT_REJECTED,
        r"\bsdn\d+\b",  # FAQ: spam-channel deliveries (SDN3/4 domestic, SDN13/14 overseas, SDN51)
        r"requested action not taken: mail \S+ \d+",  # FAQ: a keyword rule was hit
    ),
    # Last: Sendmail access-map and similar bare refusals.
    *_phrases(_C.BLACKLISTED_IP_OR_SENDER, "access denied"),
)

_MAX_MATCH = 8192
_ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
# "550 5.1.1 text", "550-5.1.1 text", "said: 550 text", "RCPT TO:<x>: 550 text".
_LEADING = re.compile(
    r"(?:^|[:;：]\s*)([245]\d\d)(?:[ -]|$)\s*(?:([245]\.\d{1,3}\.\d{1,3})(?![\d.]))?",
)
_MARKED = re.compile(r"#([245]\.\d{1,3}\.\d{1,3})(?![\d.])")  # qmail "(#5.1.1)", Exchange "<host #5.1.1>"
_BARE_STATUS = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
# Reply-code prefixes that would split a phrase: one at each line start of a multi-line reply, and
# "550-5.1.1 " continuations left inside text that was unfolded onto one line (DSN Diagnostic-Code).
_CONTINUATION = re.compile(
    r"^[ \t]*[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}\s)?|(?<=\s)[245]\d\d-(?:[245]\.\d{1,3}\.\d{1,3}\s)?",
    re.MULTILINE,
)


def classify(reply_code: int | None, enhanced: str | None, text: str) -> BounceCause:
    """Classify a remote server's reply into a cause; the raw ``text`` is kept in the result."""
    code, status = _read_codes(reply_code, enhanced, text)
    subject = _subject(status)
    # SMTP reply lines are at most 512 octets (RFC 5321 §4.5.3.1.5); a few of them is plenty.
    matchable = " ".join(_CONTINUATION.sub(" ", text[:_MAX_MATCH]).split())

    if status is not None:
        specific = _SPECIFIC.get(status) or _SPECIFIC.get(subject)
        if specific is not None:
            return _result(specific, code, status, text, f"enhanced:{status}")
    for rule in _RULES:
        if rule.codes is not None and code not in rule.codes:
            continue
        if rule.pattern.search(matchable):
            return _result(rule.cause, code, status, text, f"text:{rule.label}")
    if status is not None:
        hint = _HINTS.get(status) or _HINTS.get(subject)
        if hint is not None:
            return _result(hint, code, status, text, f"hint:{status}")
    if code is not None and code in _REPLY_CODES:
        return _result(_REPLY_CODES[code], code, status, text, f"reply_code:{code}")
    klass = str(code)[0] if code is not None else (status[0] if status is not None else None)
    if klass == "4":
        return _result(_C.NETWORK_OR_REMOTE_TROUBLE, code, status, text, "class:4")
    if klass == "5":
        return _result(_C.OTHER, code, status, text, "class:5")
    return _result(_C.OTHER, code, status, text, "none")


def classify_local(failure: LocalFailure, detail: str = "") -> BounceCause:
    """Classify a failure our own transport met; ``detail`` (e.g. the last remote reply) is kept as text."""
    cause, permanent, status = _LOCAL[failure]
    return BounceCause(cause, permanent, None, status, detail, f"local:{failure.value}")


def _result(cause: BounceCauseId, code: int | None, status: str | None, text: str, basis: str) -> BounceCause:
    if cause is _C.DELIVERY_EXPIRED:
        permanent = True  # an expiry is final even though its status is 4.4.7
    elif code is not None and 400 <= code < 600:
        permanent = code >= 500
    elif status is not None:
        permanent = status[0] == "5"
    else:
        permanent = cause_text(cause).permanent
    return BounceCause(cause, permanent, code, status, text, basis)


def _read_codes(reply_code: int | None, enhanced: str | None, text: str) -> tuple[int | None, str | None]:
    """Take the codes given, filling gaps from the text ("550 5.1.1 ...", "(#5.1.1)")."""
    status = enhanced.strip() if enhanced else None
    if status is not None and not _ENHANCED.match(status):
        status = None
    code = reply_code
    if code is None or status is None:
        leading = _LEADING.search(text)
        if leading is not None:
            if code is None:
                code = int(leading.group(1))
            if status is None and leading.group(2) and leading.group(1)[0] == leading.group(2)[0]:
                status = leading.group(2)
    if status is None:
        marked = _MARKED.search(text) or _BARE_STATUS.match(text)
        if marked is not None:
            status = marked.group(1)
    return code, status


def _subject(status: str | None) -> str:
    """'5.1.1' -> '1.1': the class-free part used by most table keys."""
    return status.split(".", 1)[1] if status is not None else ""


def _is_zh(lang: str) -> bool:
    return lang.lower().startswith("zh")
