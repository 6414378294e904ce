"""Realistic replies from major providers and MTAs are classified correctly.

The replies are written by us in each provider's published or commonly seen format (multi-line
continuations, provider tags, help links); they are not captured traffic. Each row passes the
reply as the transport would see it: ``(reply code, enhanced code or None, text)``. Where the
enhanced code is None the classifier has to read the codes from the text itself.
"""

from __future__ import annotations

import pytest

from yunmail.delivery import BounceCauseId, classify

C = BounceCauseId

GMAIL = [
    (
        "gmail-no-such-user",
        550,
        "5.1.1",
        "The email account that you tried to reach does not exist. Please try\n"
        "550-5.1.1 double-checking the recipient's email address for typos or\n"
        "550-5.1.1 unnecessary spaces. For more information, go to\n"
        "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser d2-20020a05 - gsmtp",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "gmail-disabled",
        550,
        "5.2.1",
        "The email account that you tried to reach is disabled. Learn more at\n"
        "550 5.2.1  https://support.google.com/mail/?p=DisabledUser a1si123 - gsmtp",
        C.ACCOUNT_DISABLED_OR_SUSPENDED,
        True,
    ),
    (
        "gmail-over-quota",
        452,
        "4.2.2",
        "The recipient's inbox is out of storage space. Please direct the\n"
        "452-4.2.2 recipient to\n"
        "452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp x12si - gsmtp",
        C.MAILBOX_FULL,
        False,
    ),
    (
        "gmail-too-large",
        552,
        "5.3.4",
        "Your message exceeded Google's message size limits. For more information, visit\n"
        "552 5.3.4  https://support.google.com/mail/?p=MaxSizeError b2si - gsmtp",
        C.MESSAGE_TOO_LARGE,
        True,
    ),
    (
        "gmail-blocked-attachment",
        552,
        "5.7.0",
        "This message was blocked because its content presents a potential\n"
        "552-5.7.0 security issue. Please visit\n"
        "552 5.7.0  https://support.google.com/mail/?p=BlockedMessage q7si - gsmtp",
        C.FORBIDDEN_ATTACHMENT,
        True,
    ),
    (
        "gmail-spam",
        550,
        "5.7.1",
        "[203.0.113.7] Our system has detected that this message is\n"
        "550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\n"
        "550 5.7.1 this message has been blocked. r5si - gsmtp",
        C.SPAM_OR_CONTENT_REJECTED,
        True,
    ),
    (
        "gmail-rate",
        421,
        "4.7.0",
        "[203.0.113.7] Our system has detected an unusual rate of\n"
        "421-4.7.0 unsolicited mail originating from your IP address. To protect our\n"
        "421 4.7.0 users from spam, mail sent from your IP address has been temporarily rate limited.",
        C.RATE_LIMITED,
        False,
    ),
    (
        "gmail-receiving-too-quickly",
        450,
        "4.2.1",
        "The user you are trying to contact is receiving mail at a rate that\n"
        "450 4.2.1 prevents additional messages from being delivered. Please resend later.",
        C.RATE_LIMITED,
        False,
    ),
    (
        "gmail-unauthenticated",
        550,
        "5.7.26",
        "This mail has been blocked because the sender is unauthenticated.\n"
        "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.",
        C.AUTHENTICATION_REQUIRED,
        True,
    ),
    (
        "gmail-dmarc",
        550,
        "5.7.26",
        "Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
        C.AUTHENTICATION_REQUIRED,
        True,
    ),
    (
        "gmail-low-reputation",
        421,
        "4.7.0",
        "[203.0.113.7] Our system has detected that this message is suspicious due to the very low "
        "reputation of the sending IP address.",
        C.BLACKLISTED_IP_OR_SENDER,
        False,
    ),
    (
        "gmail-dynamic-ip",
        550,
        "5.7.1",
        "[203.0.113.7] The IP you're using to send mail is not authorized to send email directly to "
        "our servers. Please use the SMTP relay at your service provider instead.",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "gmail-too-many-recipients",
        452,
        "4.5.3",
        "Your message has too many recipients. For more information regarding Google's sending limits",
        C.TOO_MANY_RECIPIENTS,
        False,
    ),
    (
        "gmail-try-later",
        421,
        "4.7.0",
        "Try again later, closing connection. (EHLO) s3si - gsmtp",
        C.NETWORK_OR_REMOTE_TROUBLE,
        False,
    ),
]

MICROSOFT = [
    (
        "exo-recipient-not-found-5.1.10",
        550,
        "5.1.10",
        "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    ("exo-recipnotfound", 550, "5.1.1", "RESOLVER.ADR.RecipNotFound; not found", C.RECIPIENT_UNKNOWN, True),
    (
        "exo-dbeb-5.4.1",
        550,
        "5.4.1",
        "Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors"
        " [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "exo-mailbox-full",
        554,
        "5.2.2",
        "mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded",
        C.MAILBOX_FULL,
        True,
    ),
    (
        "exo-size-limit",
        550,
        "5.3.4",
        "ROUTING.SizeLimit; message size exceeds fixed maximum size for route",
        C.MESSAGE_TOO_LARGE,
        True,
    ),
    (
        "exo-banned-ip",
        550,
        "5.7.606",
        "Access denied, banned sending IP [203.0.113.7]. To request removal from this list please visit "
        "https://sender.office.com/ and follow the directions.",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "exo-traffic-not-accepted",
        550,
        "5.7.708",
        "Service unavailable. Access denied, traffic not accepted from this IP.",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "exo-server-busy",
        451,
        "4.7.500",
        "Server busy. Please try again later from [203.0.113.7]. (S77714) [DB5EUR01FT012.eop-EUR01]",
        C.NETWORK_OR_REMOTE_TROUBLE,
        False,
    ),
    (
        "exo-ip-reputation-throttle",
        421,
        "4.7.650",
        "The mail server [203.0.113.7] has been temporarily rate limited due to IP reputation.",
        C.RATE_LIMITED,
        False,
    ),
    (
        "exo-dmarc",
        550,
        "5.7.509",
        "Access denied, sending domain example.com does not pass DMARC verification and has a DMARC "
        "policy of reject.",
        C.AUTHENTICATION_REQUIRED,
        True,
    ),
    (
        "exo-group-auth",
        550,
        "5.7.133",
        "RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required; Delivery restriction "
        "check failed because the sender was not authenticated when sending to this group",
        C.AUTHENTICATION_REQUIRED,
        True,
    ),
    (
        "exo-not-authorized",
        550,
        "5.7.1",
        "RESOLVER.RST.NotAuthorized; not authorized",
        C.NOT_ALLOWED_BY_RECIPIENT,
        True,
    ),
    (
        "exo-spam",
        550,
        "5.7.350",
        "Remote server returned message detected as spam -> 554 5.7.1 Message rejected as spam",
        C.SPAM_OR_CONTENT_REJECTED,
        True,
    ),
    (
        "exo-hop-count",
        554,
        "5.4.14",
        "Hop count exceeded - possible mail loop ATTR34 [BN8NAM12FT053.eop-nam12.prod.protection]",
        C.MAIL_LOOP,
        True,
    ),
    (
        "exo-nonexistent-domain",
        554,
        "5.4.4",
        "SMTPSEND.DNS.NonExistentDomain; nonexistent domain",
        C.NO_MX_OR_DNS_FAILURE,
        True,
    ),
    (
        "outlook-block-list",
        550,
        "5.7.1",
        "Unfortunately, messages from [203.0.113.7] weren't sent. Please contact your Internet service "
        "provider since part of their network is on our block list (S3150).",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "hotmail-dynamic-ip",
        550,
        None,
        "SC-001 (BAY004-MC1F18) Unfortunately, messages from 203.0.113.7 weren't sent. Please contact "
        "your Internet service provider. You can tell them that Hotmail does not relay "
        "dynamically-assigned IP ranges.",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    ("exchange-expired", 550, "4.4.7", "QUEUE.Expired; message expired", C.DELIVERY_EXPIRED, True),
]

CHINESE_PROVIDERS = [
    (
        "qq-mailbox-not-found",
        550,
        None,
        "Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "qq-content-denied",
        550,
        None,
        "Mail content denied. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000726",
        C.SPAM_OR_CONTENT_REJECTED,
        True,
    ),
    (
        "qq-ip-frequency",
        550,
        None,
        "Ip frequency limited. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000722",
        C.RATE_LIMITED,
        True,
    ),
    ("qq-domain-frequency", 451, None, "Domain frequency limited", C.RATE_LIMITED, False),
    ("qq-connection-frequency", 421, None, "Connection frequency limited", C.RATE_LIMITED, False),
    ("qq-frozen", 550, None, "Mailbox is frozen", C.ACCOUNT_DISABLED_OR_SUSPENDED, True),
    ("qq-size", 552, None, "Message size exceed limit", C.MESSAGE_TOO_LARGE, True),
    ("qq-unavailable", 550, None, "Mailbox unavailable or access denied", C.RECIPIENT_UNKNOWN, True),
    (
        "qq-inappropriate",
        550,
        None,
        "The mail may contain inappropriate words or content.",
        C.SPAM_OR_CONTENT_REJECTED,
        True,
    ),
    ("exmail-spf", 550, None, "SPF check failed", C.AUTHENTICATION_REQUIRED, True),
    ("exmail-bad-syntax", 501, None, "Bad address syntax", C.BAD_ADDRESS_SYNTAX, True),
    (
        "netease-spam",
        554,
        None,
        "DT:SPM 163 smtp14,EsCowAD3V1pJbUtl8S7VAQ--.2345S2 1700000000, please see "
        "http://mail.163.com/help/help_spam_16.htm?ip=203.0.113.7&hostid=smtp14&time=1700000000",
        C.SPAM_OR_CONTENT_REJECTED,
        True,
    ),
    ("netease-spam-451", 451, None, "DT:SPM 126 smtp5,jtKowAD3", C.SPAM_OR_CONTENT_REJECTED, False),
    ("netease-quota", 552, None, "DT:UQT mailbox over quota", C.MAILBOX_FULL, True),
    ("netease-rbl", 450, None, "DT:RBL 163 mx5, the IP is in RBL", C.BLACKLISTED_IP_OR_SENDER, False),
    (
        "netease-sender-frequency",
        451,
        None,
        "MI:SFQ 163 smtp10,DsCowAC,Sender frequency limited",
        C.RATE_LIMITED,
        False,
    ),
    ("netease-connection-limit", 450, None, "MI:DMC 163 mx3, Connection limited", C.RATE_LIMITED, False),
    ("netease-spf", 550, None, "MI:SPF 163 mx14, SPF check failed", C.AUTHENTICATION_REQUIRED, True),
    ("netease-dmarc", 554, None, "MI:DMA 126 mx2, DMARC check failed", C.AUTHENTICATION_REQUIRED, True),
    ("netease-malformed-sender", 550, None, "MI:IMF 163 mx9, bad sender", C.SENDER_ADDRESS_INVALID, True),
    ("netease-recipient-count", 550, None, "RP:RCL 163 mx9, too many", C.TOO_MANY_RECIPIENTS, True),
    ("netease-daily-recipients", 550, None, "RP:TRC 163 smtp2, daily limit", C.RATE_LIMITED, True),
    ("netease-open-relay", 550, None, "RP:FRL 163 mx1, open relay", C.RELAYING_DENIED, True),
    (
        "netease-ip-suspended",
        554,
        None,
        "HL:IHU 163 mx4, suspended for abnormal behaviour",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    ("netease-ip-block", 554, None, "IP:B23 163 mx10, blocked", C.BLACKLISTED_IP_OR_SENDER, True),
    ("netease-user-not-found", 550, None, "User not found: bob@163.com", C.RECIPIENT_UNKNOWN, True),
    (
        "netease-user-suspended",
        550,
        None,
        "User suspended: bob@163.com",
        C.ACCOUNT_DISABLED_OR_SUSPENDED,
        True,
    ),
    ("netease-illegal-attachment", 552, None, "Illegal Attachment", C.FORBIDDEN_ATTACHMENT, True),
    ("aliyun-no-rcpt", 554, None, "RCPT (bob@aliyun.com) dosn't exist", C.RECIPIENT_UNKNOWN, True),
    ("aliyun-ip-blacklist", 554, None, "IP in blacklist", C.BLACKLISTED_IP_OR_SENDER, True),
    ("aliyun-auth", 526, None, "Authentication failure[0]", C.AUTHENTICATION_REQUIRED, True),
    ("aliyun-mail-rejected", 550, None, "Mail rejected", C.SPAM_OR_CONTENT_REJECTED, True),
    ("chinese-user-missing", 550, None, "收件人用户不存在", C.RECIPIENT_UNKNOWN, True),
    ("chinese-mailbox-full", 552, None, "收件人邮箱已满", C.MAILBOX_FULL, True),
]

YAHOO = [
    (
        "yahoo-no-account",
        554,
        None,
        "delivery error: dd This user doesn't have a yahoo.com account (bob@yahoo.com) [0] - "
        "mta1234.mail.gq1.yahoo.com",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "yahoo-disabled",
        554,
        None,
        "delivery error: dd Sorry your message to bob@yahoo.com cannot be delivered. This mailbox is "
        "disabled (554.30). - mta1001.mail.ne1.yahoo.com",
        C.ACCOUNT_DISABLED_OR_SUSPENDED,
        True,
    ),
    (
        "yahoo-mailbox-not-found",
        552,
        None,
        "1 Requested mail action aborted, mailbox not found",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "yahoo-deferred-volume",
        421,
        "4.7.0",
        "[TSS04] Messages from 203.0.113.7 temporarily deferred due to unexpected volume or user "
        "complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        C.RATE_LIMITED,
        False,
    ),
    (
        "yahoo-policy",
        554,
        "5.7.9",
        "Message not accepted for policy reasons. See https://postmaster.yahooinc.com/error-codes",
        C.SPAM_OR_CONTENT_REJECTED,
        True,
    ),
    (
        "yahoo-spamhaus",
        553,
        "5.7.1",
        "[BL21] Connections will not be accepted from 203.0.113.7, because the ip is in Spamhaus's "
        "list; see https://postmaster.yahooinc.com/error-codes",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "yahoo-unauthenticated",
        550,
        "5.7.9",
        "This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to "
        "authenticate with either SPF or DKIM.",
        C.AUTHENTICATION_REQUIRED,
        True,
    ),
    ("yahoo-deferred", 451, None, "Message temporarily deferred - [160]", C.NETWORK_OR_REMOTE_TROUBLE, False),
]

MTAS = [
    (
        "postfix-local-table",
        550,
        None,
        "5.1.1 <bob@example.net>: Recipient address rejected: User unknown in local recipient table",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "postfix-relay",
        554,
        None,
        "5.7.1 <bob@example.net>: Relay access denied",
        C.RELAYING_DENIED,
        True,
    ),
    (
        "postfix-spamhaus",
        554,
        None,
        "5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org; "
        "https://www.spamhaus.org/query/ip/203.0.113.7",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "postfix-greylist",
        450,
        None,
        "4.2.0 <bob@example.net>: Recipient address rejected: Greylisted, see "
        "http://postgrey.schweikert.ch/help/example.net.html",
        C.NETWORK_OR_REMOTE_TROUBLE,
        False,
    ),
    (
        "postfix-sender-domain",
        450,
        None,
        "4.1.8 <alice@example.com>: Sender address rejected: Domain not found",
        C.SENDER_ADDRESS_INVALID,
        False,
    ),
    (
        "postfix-no-ptr",
        450,
        None,
        "4.7.1 Client host rejected: cannot find your hostname, [203.0.113.7]",
        C.AUTHENTICATION_REQUIRED,
        False,
    ),
    (
        "postfix-client-access",
        554,
        None,
        "5.7.1 <unknown[203.0.113.7]>: Client host rejected: Access denied",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    ("postfix-too-many-rcpt", 452, None, "4.5.3 Error: too many recipients", C.TOO_MANY_RECIPIENTS, False),
    (
        "postfix-size",
        552,
        None,
        "5.3.4 Message size exceeds fixed limit",
        C.MESSAGE_TOO_LARGE,
        True,
    ),
    (
        "postfix-nullmx",
        556,
        None,
        "5.1.10 Domain example.org does not accept mail (nullMX)",
        C.NULL_MX,
        True,
    ),
    (
        "postfix-policyd-spf",
        550,
        None,
        "5.7.23 <bob@example.net>: Recipient address rejected: Message rejected due to: SPF fail - not "
        "authorized. Please see http://www.openspf.net/Why?s=mfrom;id=alice@example.com",
        C.AUTHENTICATION_REQUIRED,
        True,
    ),
    (
        "postfix-helo",
        504,
        None,
        "5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname",
        C.AUTHENTICATION_REQUIRED,
        True,
    ),
    ("exim-unrouteable", 550, None, "Unrouteable address", C.RECIPIENT_UNKNOWN, True),
    ("exim-cpanel", 550, None, "No Such User Here", C.RECIPIENT_UNKNOWN, True),
    (
        "exim-sender-verify",
        550,
        None,
        "Verification failed for <alice@example.com>\n550-Unrouteable address\n550 Sender verify failed",
        C.SENDER_ADDRESS_INVALID,
        True,
    ),
    (
        "exim-rbl",
        550,
        None,
        "JunkMail rejected - mail.example.com [203.0.113.7]:25 is in an RBL: see "
        "http://www.spamhaus.org/query/bl?ip=203.0.113.7",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "exim-spam",
        550,
        None,
        "This message was classified as SPAM and may not be delivered",
        C.SPAM_OR_CONTENT_REJECTED,
        True,
    ),
    (
        "exim-virus",
        550,
        None,
        "This message contains a virus (Eicar-Test-Signature) and has been rejected",
        C.VIRUS,
        True,
    ),
    ("exim-quota", 552, None, "Mailbox quota exceeded", C.MAILBOX_FULL, True),
    (
        "exim-temp",
        451,
        None,
        "Temporary local problem - please try later",
        C.NETWORK_OR_REMOTE_TROUBLE,
        False,
    ),
    (
        "exim-loop",
        550,
        None,
        'Too many "Received" headers - suspected mail loop',
        C.MAIL_LOOP,
        True,
    ),
    (
        "exim-attachment",
        550,
        None,
        "Attachments of this type are not accepted: invoice.scr",
        C.FORBIDDEN_ATTACHMENT,
        True,
    ),
    (
        "sendmail-user-unknown",
        550,
        None,
        "5.1.1 <bob@example.net>... User unknown",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "sendmail-relay-auth",
        550,
        None,
        "5.7.1 <bob@example.net>... Relaying denied. Proper authentication required.",
        C.RELAYING_DENIED,
        True,
    ),
    (
        "sendmail-sender-domain",
        553,
        None,
        "5.1.8 <alice@example.com>... Domain of sender address alice@example.com does not exist",
        C.SENDER_ADDRESS_INVALID,
        True,
    ),
    (
        "sendmail-hops",
        554,
        None,
        "5.4.6 Too many hops 26 (25 max): from <alice@example.com> via mx.example.net, to <bob@example.net>",
        C.MAIL_LOOP,
        True,
    ),
    (
        "sendmail-spamcop",
        553,
        None,
        "5.3.0 <bob@example.net>... Spam blocked see: http://spamcop.net/bl.shtml?203.0.113.7",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "sendmail-read-error",
        451,
        None,
        "4.4.1 reply: read error from mx.example.net.",
        C.NETWORK_OR_REMOTE_TROUBLE,
        False,
    ),
    (
        "qmail-no-mailbox",
        None,
        None,
        "Sorry, no mailbox here by that name. (#5.1.1)",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "qmail-rcpthosts",
        553,
        None,
        "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
        C.RELAYING_DENIED,
        True,
    ),
    (
        "qmail-badmailfrom",
        553,
        None,
        "sorry, your envelope sender is in my badmailfrom list (#5.7.1)",
        C.BLACKLISTED_IP_OR_SENDER,
        True,
    ),
    (
        "qmail-databytes",
        552,
        None,
        "sorry, that message size exceeds my databytes limit (#5.3.4)",
        C.MESSAGE_TOO_LARGE,
        True,
    ),
    (
        "qmail-validrcptto",
        553,
        None,
        "sorry, this recipient is not in my validrcptto list (#5.7.1)",
        C.RECIPIENT_UNKNOWN,
        True,
    ),
    (
        "qmail-over-quota",
        None,
        None,
        "The users mailfolder is over the allowed quota (size). (#5.2.2)",
        C.MAILBOX_FULL,
        True,
    ),
    (
        "qmail-no-host",
        None,
        None,
        "Sorry, I couldn't find any host named nosuch.example. (#5.1.2)",
        C.NO_MX_OR_DNS_FAILURE,
        True,
    ),
    (
        "qmail-no-connection",
        None,
        None,
        "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)",
        C.NETWORK_OR_REMOTE_TROUBLE,
        False,
    ),
    (
        "starttls-required",
        530,
        None,
        "5.7.0 Must issue a STARTTLS command first",
        C.TLS_FAILURE,
        True,
    ),
]

ROWS = GMAIL + MICROSOFT + CHINESE_PROVIDERS + YAHOO + MTAS


@pytest.mark.parametrize(
    ("reply_code", "enhanced", "text", "expected", "permanent"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_provider_reply_maps_to_its_cause(
    reply_code: int | None, enhanced: str | None, text: str, expected: BounceCauseId, permanent: bool
) -> None:
    result = classify(reply_code, enhanced, text)

    assert (result.cause, result.permanent) == (expected, permanent)
    assert result.text == text
