"""Every reply pattern in the FAQ's bounce table (reference section 3.4) maps to its cause.

Inputs are the FAQ's pattern strings as they appear there (reply text only, no separate codes).
Where the FAQ files a pattern under a group whose meaning does not fit, the row says which cause we
chose and why; the deviations are collected in ``DEVIATIONS`` so a reviewer can see them at once.
"""

from __future__ import annotations

import pytest

from yunmail.delivery import BounceCauseId, classify

C = BounceCauseId

# FAQ group "收件人找不到" (recipient not found).
RECIPIENT_NOT_FOUND = [
    ("Recipient unknown", C.RECIPIENT_UNKNOWN),
    ("Invalid recipient", C.RECIPIENT_UNKNOWN),
    ("Not our Customer", C.RECIPIENT_UNKNOWN),
    ("user unknown", C.RECIPIENT_UNKNOWN),
    ("User suspended", C.ACCOUNT_DISABLED_OR_SUSPENDED),
    ("user not exist", C.RECIPIENT_UNKNOWN),
    ("Unrouteable address", C.RECIPIENT_UNKNOWN),
    ("no valid recipients", C.RECIPIENT_UNKNOWN),
    ("Local no so user", C.RECIPIENT_UNKNOWN),
    ("unknown user", C.RECIPIENT_UNKNOWN),
    ("user not found", C.RECIPIENT_UNKNOWN),
    ("This user doesn't have a yahoo", C.RECIPIENT_UNKNOWN),
    ("User not local", C.RECIPIENT_UNKNOWN),
    ("Bad address syntax", C.BAD_ADDRESS_SYNTAX),
    ("not user of this server", C.RECIPIENT_UNKNOWN),
    ("This account has been disabled", C.ACCOUNT_DISABLED_OR_SUSPENDED),
    ("This user doesn't have a yahoo.com account", C.RECIPIENT_UNKNOWN),
    ("This account has been temporarily suspended", C.ACCOUNT_DISABLED_OR_SUSPENDED),
    ("this user doesn't have a", C.RECIPIENT_UNKNOWN),
    ("The email account that you tried to reach", C.RECIPIENT_UNKNOWN),
    ("Bad recipient address syntax", C.BAD_ADDRESS_SYNTAX),
    ("mailbox currently unavailable", C.RECIPIENT_UNKNOWN),
    ("local server don't exists that user", C.RECIPIENT_UNKNOWN),
    ("user not known", C.RECIPIENT_UNKNOWN),
    ("user disabled", C.ACCOUNT_DISABLED_OR_SUSPENDED),
    ("invalid user", C.RECIPIENT_UNKNOWN),
    ("Mailbox not found", C.RECIPIENT_UNKNOWN),
    ("unavailable mail user", C.RECIPIENT_UNKNOWN),
    ("no mailbox by that name", C.RECIPIENT_UNKNOWN),
    ("Invalid character", C.BAD_ADDRESS_SYNTAX),
    ("Account Unavailable", C.RECIPIENT_UNKNOWN),
    ("The account does not exist", C.RECIPIENT_UNKNOWN),
    ("recipients are invalid", C.RECIPIENT_UNKNOWN),
    ("rcpt account is invalid", C.RECIPIENT_UNKNOWN),
    ("no such user", C.RECIPIENT_UNKNOWN),
    ("the account is disable", C.ACCOUNT_DISABLED_OR_SUSPENDED),
    ("User unknown in local recipient table", C.RECIPIENT_UNKNOWN),
    ("Invalid Address", C.RECIPIENT_UNKNOWN),
    ("mailbox unavailable", C.RECIPIENT_UNKNOWN),
    ("no mailbox here by that name", C.RECIPIENT_UNKNOWN),
    ("No Such User Here", C.RECIPIENT_UNKNOWN),
    ("is not my user", C.RECIPIENT_UNKNOWN),
    ("not our MX service client", C.RECIPIENT_UNKNOWN),
    ("This target address is not our MX service", C.RECIPIENT_UNKNOWN),
    ("A not found", C.RECIPIENT_UNKNOWN),
    ("The email account that you tried to reach does not exist", C.RECIPIENT_UNKNOWN),
    ("User unknown in virtual alias table", C.RECIPIENT_UNKNOWN),
    ("No such person at this address", C.RECIPIENT_UNKNOWN),
    ("not found in LDAP serve", C.RECIPIENT_UNKNOWN),
]

# Address syntax rows (recipient and sender).
SYNTAX = [
    ("bad syntax", C.BAD_ADDRESS_SYNTAX),
    ("syntax error", C.BAD_ADDRESS_SYNTAX),
    ("NULL sender is not allowed", C.SENDER_ADDRESS_INVALID),
]

# "收件方邮箱空间满" (mailbox full).
MAILBOX_FULL = [
    ("looks like spam mail box is full", C.MAILBOX_FULL),
    ("exceeded storage allocation", C.MAILBOX_FULL),
    ("Quota exceed the hard limit", C.MAILBOX_FULL),
    ("out of mailbox", C.MAILBOX_FULL),
    ("disk quota exceeded", C.MAILBOX_FULL),
    ("Mailbox full", C.MAILBOX_FULL),
    ("Quota exceeded", C.MAILBOX_FULL),
    ("DT:UQT", C.MAILBOX_FULL),
    ("out of quota", C.MAILBOX_FULL),
    ("over quota", C.MAILBOX_FULL),
]

# "邮件过大" (message too large).
TOO_LARGE = [
    ("maximum message size", C.MESSAGE_TOO_LARGE),
    ("exceeded mailsizelimit", C.MESSAGE_TOO_LARGE),
    ("tried to reach is over quota", C.MAILBOX_FULL),
    ("size limit exceeded", C.MESSAGE_TOO_LARGE),
    ("larger than maximum message", C.MESSAGE_TOO_LARGE),
    ("message size exceeds", C.MESSAGE_TOO_LARGE),
    ("message is too long", C.MESSAGE_TOO_LARGE),
    ("message too large", C.MESSAGE_TOO_LARGE),
    ("mail size or count over quota", C.MESSAGE_TOO_LARGE),
    ("message file too big", C.MESSAGE_TOO_LARGE),
    ("Mail Size exceeds sever", C.MESSAGE_TOO_LARGE),
]

# "域名问题" (domain has no MX / DNS).
DOMAIN = [
    ("DNS can not resolve domain", C.NO_MX_OR_DNS_FAILURE),
    ("DNS query error", C.NO_MX_OR_DNS_FAILURE),
    ("MX query return retry", C.NO_MX_OR_DNS_FAILURE),
]

# "网络问题" (network).
NETWORK = [
    ("respond timeout or disconnected", C.NETWORK_OR_REMOTE_TROUBLE),
    ("close by peer while sending data", C.NETWORK_OR_REMOTE_TROUBLE),
    ("SMTP connect error", C.NETWORK_OR_REMOTE_TROUBLE),
    ("Can not connect to", C.NETWORK_OR_REMOTE_TROUBLE),
    ("service not ready", C.NETWORK_OR_REMOTE_TROUBLE),
    ("Resources unavailable temporarily", C.NETWORK_OR_REMOTE_TROUBLE),
    ("server too busy", C.NETWORK_OR_REMOTE_TROUBLE),
    ("Server is busy", C.NETWORK_OR_REMOTE_TROUBLE),
    ("Temporary local problem", C.NETWORK_OR_REMOTE_TROUBLE),
    ("Service unavailable", C.NETWORK_OR_REMOTE_TROUBLE),
    ("service temporarily unavailable", C.NETWORK_OR_REMOTE_TROUBLE),
    ("Relay access denied", C.RELAYING_DENIED),
    ("Access deny reply to remote", C.NETWORK_OR_REMOTE_TROUBLE),
    ("Local user only", C.RELAYING_DENIED),
    ("Server configuration problem", C.NETWORK_OR_REMOTE_TROUBLE),
    ("local error in processing", C.NETWORK_OR_REMOTE_TROUBLE),
    ("rcpt handle timeout", C.NETWORK_OR_REMOTE_TROUBLE),
    ("450 Query Domain Retry(DNS retry)", C.NETWORK_OR_REMOTE_TROUBLE),
]

# "被列入黑名单" (blocked) and the CAC spam-channel rows.
BLOCKED = [
    ("address blocked", C.NOT_ALLOWED_BY_RECIPIENT),
    ("RCPT REJECT", C.NOT_ALLOWED_BY_RECIPIENT),
    ("User reject", C.NOT_ALLOWED_BY_RECIPIENT),
    ("CAC垃圾通道退信", C.SPAM_OR_CONTENT_REJECTED),
    ("ip blocked from this server", C.BLACKLISTED_IP_OR_SENDER),
    ("IP is rejected", C.BLACKLISTED_IP_OR_SENDER),
    ("IP in blacklist", C.BLACKLISTED_IP_OR_SENDER),
    ("blacklist", C.BLACKLISTED_IP_OR_SENDER),
    ("in my badmailfrom list", C.BLACKLISTED_IP_OR_SENDER),
    ("554 Service unavailable", C.BLACKLISTED_IP_OR_SENDER),
    ("SMTP error, RCPT TO: 550 Mail from XXXX refused", C.BLACKLISTED_IP_OR_SENDER),
    ("SDN3", C.SPAM_OR_CONTENT_REJECTED),
    ("SDN4", C.SPAM_OR_CONTENT_REJECTED),
    ("SDN13", C.SPAM_OR_CONTENT_REJECTED),
    ("SDN14", C.SPAM_OR_CONTENT_REJECTED),
    ("SDN51", C.SPAM_OR_CONTENT_REJECTED),
]

# "邮箱到期或锁定" (mailbox expired or locked) and the rows after it.
EXPIRED_OR_LOCKED = [
    ("deliver to local org only", C.ACCOUNT_DISABLED_OR_SUSPENDED),
    ("not allowed to send email to this user", C.NOT_ALLOWED_BY_RECIPIENT),
]

# "用户没有身份验证" (authentication).
AUTHENTICATION = [
    ("553 authentication is required", C.AUTHENTICATION_REQUIRED),
    ("AUTH FAILED", C.AUTHENTICATION_REQUIRED),
    ("requires authentication", C.AUTHENTICATION_REQUIRED),
    ("the server need auth", C.AUTHENTICATION_REQUIRED),
    ("authentication required", C.AUTHENTICATION_REQUIRED),
    ("Delivery not authorized", C.AUTHENTICATION_REQUIRED),
    ("too much fail authentication", C.AUTHENTICATION_REQUIRED),
    ("smtp auth error limit exceed", C.AUTHENTICATION_REQUIRED),
]

# "中继问题" (relaying).
RELAY = [
    ("this message is looping", C.MAIL_LOOP),
    ("relay is not allowed", C.RELAYING_DENIED),
    ("relaying denied", C.RELAYING_DENIED),
    ("unable to relay", C.RELAYING_DENIED),
    ("Relay Deny", C.RELAYING_DENIED),
    ("relay not permitted", C.RELAYING_DENIED),
    ("isn't allowed to be relayed", C.RELAYING_DENIED),
    ("isn't allowed to relay", C.RELAYING_DENIED),
    ("server doesn't supply open relay", C.RELAYING_DENIED),
    ("host denies relay", C.RELAYING_DENIED),
    ("Unable to relay", C.RELAYING_DENIED),
]

# "邮件被对方拒绝" (rejected by the receiver).
REJECTED = [
    ("The file attached violates our email policy", C.FORBIDDEN_ATTACHMENT),
    ("mail rejected by keyword", C.SPAM_OR_CONTENT_REJECTED),
    ("reject by dgproxy", C.SPAM_OR_CONTENT_REJECTED),
    ("mail rejected by antispam server", C.SPAM_OR_CONTENT_REJECTED),
    ("content reject", C.SPAM_OR_CONTENT_REJECTED),
    ("spam denied", C.SPAM_OR_CONTENT_REJECTED),
    ("Spam violation", C.SPAM_OR_CONTENT_REJECTED),
    ("mail content denied", C.SPAM_OR_CONTENT_REJECTED),
    ("content filter rejection SPAM", C.SPAM_OR_CONTENT_REJECTED),
    ("message not allowed", C.SPAM_OR_CONTENT_REJECTED),
    ("Message rejected as spam", C.SPAM_OR_CONTENT_REJECTED),
    ("Denied by policy", C.SPAM_OR_CONTENT_REJECTED),
    ("policy violation", C.SPAM_OR_CONTENT_REJECTED),
    ("message looks like SPAM to me", C.SPAM_OR_CONTENT_REJECTED),
    ("Email was rejected by 35 AntiSpam System", C.SPAM_OR_CONTENT_REJECTED),
    ("your message looks like a spam", C.SPAM_OR_CONTENT_REJECTED),
    ("Transaction Failed Spam Message not queued", C.SPAM_OR_CONTENT_REJECTED),
    ("message refused", C.SPAM_OR_CONTENT_REJECTED),
    ("No spam here", C.SPAM_OR_CONTENT_REJECTED),
    ("Sender ID (PRA) Not Permitted", C.AUTHENTICATION_REQUIRED),
    ("The message was rejected", C.SPAM_OR_CONTENT_REJECTED),
    ("mail server permanently rejected message", C.SPAM_OR_CONTENT_REJECTED),
    ("sender is rejected", C.BLACKLISTED_IP_OR_SENDER),
    ("in my list of allowed rcpthosts", C.RELAYING_DENIED),
    ("Address rejected", C.NOT_ALLOWED_BY_RECIPIENT),
    ("recipient is not accepted", C.NOT_ALLOWED_BY_RECIPIENT),
    ("Mail rejected by Windows Live Hotmail", C.SPAM_OR_CONTENT_REJECTED),
    ("server permanently rejected message", C.SPAM_OR_CONTENT_REJECTED),
    ("Recipient Rejected", C.NOT_ALLOWED_BY_RECIPIENT),
]

# "发现病毒" (virus) and "其他原因" (other reasons).
VIRUS_AND_OTHER = [
    ("Virus found", C.VIRUS),
    ("Message filtered", C.SPAM_OR_CONTENT_REJECTED),
    ("Illegal Attachment", C.FORBIDDEN_ATTACHMENT),
    ("too many recipients", C.TOO_MANY_RECIPIENTS),
    ("This User has too many concurrents", C.RATE_LIMITED),
    ("Sender spam message rate limit exceeded", C.RATE_LIMITED),
    ("Sender frequency limited", C.RATE_LIMITED),
    ("503 RCPT account isn't a local account", C.RELAYING_DENIED),
    ("554", C.SPAM_OR_CONTENT_REJECTED),
    ("org out rcpt count is exceeded", C.RATE_LIMITED),
    ("state=bounced, User not exist", C.RECIPIENT_UNKNOWN),
    ("state=bounced, User is suspended", C.ACCOUNT_DISABLED_OR_SUSPENDED),
    ("state=bounced, Quota exceeded", C.MAILBOX_FULL),
    ("SMTP error, RCPT TO: 553 sorry, that domain isn't in my list of allowed", C.RELAYING_DENIED),
    ("SMTP error, DOT: 550 5.7.1 Error: content rejected.", C.SPAM_OR_CONTENT_REJECTED),
    ("550 Requested action not taken: mail xxxxxxxx 1166", C.SPAM_OR_CONTENT_REJECTED),
    ("rejected by system", C.SPAM_OR_CONTENT_REJECTED),
    ("mail reject by CAC", C.BLACKLISTED_IP_OR_SENDER),
    ("Requested action not taken: Local user only", C.RELAYING_DENIED),
    ("Requested action not taken: no smtp MX only", C.RELAYING_DENIED),
]

FAQ_TABLE = (
    RECIPIENT_NOT_FOUND
    + SYNTAX
    + MAILBOX_FULL
    + TOO_LARGE
    + DOMAIN
    + NETWORK
    + BLOCKED
    + EXPIRED_OR_LOCKED
    + AUTHENTICATION
    + RELAY
    + REJECTED
    + VIRUS_AND_OTHER
)

# Rows where our cause differs from the FAQ group the pattern is listed under, and why.
DEVIATIONS = {
    "User suspended": "listed under recipient-not-found; the mailbox exists but is suspended",
    "This account has been disabled": "same: disabled, not missing",
    "This account has been temporarily suspended": "same: suspended, not missing",
    "user disabled": "same: disabled, not missing",
    "the account is disable": "same: disabled, not missing",
    "Bad address syntax": "listed under recipient-not-found; it is a syntax problem",
    "Bad recipient address syntax": "same: syntax",
    "Invalid character": "same: syntax",
    "tried to reach is over quota": "listed under too-large; Gmail sends it (4.2.2) for a full mailbox",
    "Relay access denied": "listed under network; it is Postfix's relay refusal",
    "Local user only": "listed under network; NetEase's refusal to relay for a domain it does not host",
    "address blocked": "listed under blacklist, but the FAQ's advice is the recipient's own block list",
    "RCPT REJECT": "same: the recipient's own settings",
    "User reject": "same: the recipient's own settings",
    "this message is looping": "listed under relaying; it is a mail loop",
    "Sender ID (PRA) Not Permitted": "Sender ID is Microsoft's SPF-style sender authentication",
    "in my list of allowed rcpthosts": "qmail's relay refusal: the server does not host the domain",
    "SMTP error, RCPT TO: 553 sorry, that domain isn't in my list of allowed": "same: qmail rcpthosts",
    "Message filtered": "listed under virus; the phrase is a generic filter verdict, not a virus",
    "mail reject by CAC": "CAC's list is an IP block list",
    "NULL sender is not allowed": "the FAQ's advice is about the sender address, a cause of its own",
}


def test_the_faq_table_has_more_than_a_hundred_rows() -> None:
    assert len(FAQ_TABLE) > 100
    assert set(DEVIATIONS) <= {pattern for pattern, _ in FAQ_TABLE}


@pytest.mark.parametrize(("pattern", "expected"), FAQ_TABLE, ids=[p for p, _ in FAQ_TABLE])
def test_faq_pattern_maps_to_its_cause(pattern: str, expected: BounceCauseId) -> None:
    result = classify(None, None, pattern)

    assert result.cause is expected
    assert result.text == pattern


# Rows that start with their own reply code are left out: wrapping them would change the code.
WRAPPABLE = [(pattern, cause) for pattern, cause in FAQ_TABLE if not pattern[:3].isdigit()]


@pytest.mark.parametrize(("pattern", "expected"), WRAPPABLE, ids=[p for p, _ in WRAPPABLE])
def test_faq_pattern_is_recognised_inside_a_full_reply(pattern: str, expected: BounceCauseId) -> None:
    # Real replies wrap the phrase: "550 5.0.0 <bob@example.net>: <phrase> (in reply to RCPT TO)".
    # 5.0.0 is a generic code, so the phrase must still decide.
    result = classify(550, "5.0.0", f"<bob@example.net>: {pattern} (in reply to RCPT TO command)")

    assert result.cause is expected
