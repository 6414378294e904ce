"""The catalogue of bounce causes: stable ids and the plain-language words shown for each one.

This is the single place where a cause's title, explanation ("what went wrong") and advice ("what to
do") live, in English and Chinese. The wording is ours, written for an office worker rather than a
mail administrator; the list of causes follows the FAQ's bounce table (reference section 3.4) plus a
few the FAQ folds into others (null MX, TLS, expired delivery, sender address refused).

Cause ids are a stable interface (stored with delivery attempts, shown in the API): add, never rename.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class BounceCauseId(StrEnum):
    """Why a message could not be delivered, as one stable machine-readable id."""

    RECIPIENT_UNKNOWN = "recipient_unknown"
    BAD_ADDRESS_SYNTAX = "bad_address_syntax"
    SENDER_ADDRESS_INVALID = "sender_address_invalid"
    MAILBOX_FULL = "mailbox_full"
    MESSAGE_TOO_LARGE = "message_too_large"
    NO_MX_OR_DNS_FAILURE = "no_mx_or_dns_failure"
    NULL_MX = "null_mx"
    NETWORK_OR_REMOTE_TROUBLE = "network_or_remote_trouble"
    TLS_FAILURE = "tls_failure"
    BLACKLISTED_IP_OR_SENDER = "blacklisted_ip_or_sender"
    SPAM_OR_CONTENT_REJECTED = "spam_or_content_rejected"
    VIRUS = "virus"
    ACCOUNT_DISABLED_OR_SUSPENDED = "account_disabled_or_suspended"
    AUTHENTICATION_REQUIRED = "authentication_required"
    RELAYING_DENIED = "relaying_denied"
    TOO_MANY_RECIPIENTS = "too_many_recipients"
    RATE_LIMITED = "rate_limited"
    FORBIDDEN_ATTACHMENT = "forbidden_attachment"
    MAIL_LOOP = "mail_loop"
    NOT_ALLOWED_BY_RECIPIENT = "not_allowed_by_recipient"
    DELIVERY_EXPIRED = "delivery_expired"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class CauseText:
    """The words for one cause. ``permanent`` is the default used only when no reply code says."""

    title_en: str
    title_zh: str
    explanation_en: str
    explanation_zh: str
    advice_en: str
    advice_zh: str
    permanent: bool


_C = BounceCauseId

_TEXTS: dict[BounceCauseId, CauseText] = {
    _C.RECIPIENT_UNKNOWN: CauseText(
        title_en="The recipient's address does not exist",
        title_zh="收件人地址不存在",
        explanation_en=(
            "The receiving mail server says it has no mailbox with this address. The address may be "
            "misspelt, or the person may have left or changed address."
        ),
        explanation_zh=(
            "对方邮件服务器表示没有这个邮箱地址。可能是地址拼写有误，也可能对方已离职或更换了邮箱。"
        ),
        advice_en=(
            "Check the address letter by letter (watch for extra spaces or a wrong domain). If it looks "
            "right, confirm it with the recipient by phone or chat, or send to another address they use."
        ),
        advice_zh=(
            "请逐字核对收件地址，留意多余的空格或写错的域名。如果地址看起来没错，"
            "请通过电话或聊天工具向对方确认，或改发到对方的其他邮箱。"
        ),
        permanent=True,
    ),
    _C.BAD_ADDRESS_SYNTAX: CauseText(
        title_en="The recipient's address is not written correctly",
        title_zh="收件地址格式不正确",
        explanation_en=(
            "The address is not a valid e-mail address as written (for example it contains a space, a "
            "comma, a full-width character, or a part is missing), so the receiving server refused it."
        ),
        explanation_zh=(
            "这个收件地址的写法不符合邮件地址格式（例如含有空格、逗号、全角字符，或缺了某一部分），"
            "因此对方服务器拒绝接收。"
        ),
        advice_en=(
            "Correct the address so that it looks like name@example.com, with no spaces or stray "
            "punctuation, and send the message again."
        ),
        advice_zh="请把地址改成 name@example.com 这样的形式，去掉空格和多余的标点，然后重新发送。",
        permanent=True,
    ),
    _C.SENDER_ADDRESS_INVALID: CauseText(
        title_en="The receiving server did not accept your sender address",
        title_zh="对方服务器不接受您的发件地址",
        explanation_en=(
            "The receiving server rejected the address the message was sent from: it found it empty or "
            "malformed, or it could not find your address's domain in DNS."
        ),
        explanation_zh=(
            "对方服务器拒绝了这封邮件的发件地址：它认为地址为空或格式不规范，"
            "或者在 DNS 中查不到发件地址所属的域名。"
        ),
        advice_en=(
            "Make sure you sent from your usual company address. If you did, ask your mail administrator "
            "to check your domain's DNS records in the admin console."
        ),
        advice_zh=(
            "请确认您是用平时的公司邮箱地址发信。如果是，"
            "请联系邮箱管理员在管理后台检查本企业域名的 DNS 记录。"
        ),
        permanent=True,
    ),
    _C.MAILBOX_FULL: CauseText(
        title_en="The recipient's mailbox is full",
        title_zh="收件人邮箱已满",
        explanation_en=(
            "The recipient's mailbox has no room left for new messages, so the receiving server could not "
            "store yours."
        ),
        explanation_zh="收件人的邮箱空间已经用完，对方服务器放不下新邮件，因此没能收下您的邮件。",
        advice_en=(
            "Tell the recipient another way (phone, chat) so they can delete old mail or get more space, "
            "then send again later, or send to another address they use."
        ),
        advice_zh="请通过电话或聊天工具提醒对方清理邮箱或扩容，稍后再重新发送；也可以改发到对方的其他邮箱。",
        permanent=False,
    ),
    _C.MESSAGE_TOO_LARGE: CauseText(
        title_en="The message is too large for the receiving server",
        title_zh="邮件超出对方服务器的大小限制",
        explanation_en=(
            "The message with its attachments is bigger than the receiving server accepts. Attachments "
            "grow by about a third when they are sent, so a file can be over the limit even if it looks "
            "smaller."
        ),
        explanation_zh=(
            "这封邮件连同附件的总大小超过了对方服务器能接收的上限。附件在发送时体积会增加约三分之一，"
            "所以看起来不大的文件也可能超限。"
        ),
        advice_en=(
            "Send the attachments in several smaller messages, compress them, or share them as a "
            "cloud-drive link. If unsure, ask the recipient what size their server accepts."
        ),
        advice_zh=(
            "请把附件分几封较小的邮件发送、压缩后再发，或改用网盘链接分享。不确定时，"
            "可以先问对方的服务器能接收多大的邮件。"
        ),
        permanent=True,
    ),
    _C.NO_MX_OR_DNS_FAILURE: CauseText(
        title_en="The recipient's domain cannot be found",
        title_zh="找不到收件人的域名",
        explanation_en=(
            "We could not find a mail server for the part of the address after the @. That domain may be "
            "misspelt, may not exist or may have expired, or its DNS service may be having trouble."
        ),
        explanation_zh=(
            "我们找不到收件地址中 @ 后面那个域名的邮件服务器。可能是域名拼写有误、域名不存在或已过期，"
            "也可能是对方的 DNS 服务出了故障。"
        ),
        advice_en=(
            "Check the part after the @ for typos. If it is right, let the recipient know another way "
            "that their domain is not receiving mail (its registration or DNS/MX records may need "
            "fixing), and send again once it works."
        ),
        advice_zh=(
            "请检查 @ 后面的域名有没有拼错。如果没错，"
            "请通过其他方式告诉对方其域名目前收不到邮件（可能需要续费域名或修正 DNS/MX 记录），"
            "恢复后再重新发送。"
        ),
        permanent=True,
    ),
    _C.NULL_MX: CauseText(
        title_en="The recipient's domain does not accept e-mail",
        title_zh="收件人的域名不接收邮件",
        explanation_en=(
            "The owner of the recipient's domain has published a record saying that the domain never "
            'receives e-mail (a "null MX"). No message to this domain can be delivered.'
        ),
        explanation_zh=(
            "收件人域名的所有者已经公开声明这个域名不接收任何邮件（即“空 MX”记录），"
            "发往这个域名的邮件都无法投递。"
        ),
        advice_en=(
            "Check the address for typos: the domain may be used for a website only. Ask the recipient "
            "for an address that does receive mail."
        ),
        advice_zh="请检查地址是否写错，这个域名可能只用于网站。请向对方要一个能正常收信的地址。",
        permanent=True,
    ),
    _C.NETWORK_OR_REMOTE_TROUBLE: CauseText(
        title_en="The receiving server could not be reached or had a problem",
        title_zh="连不上对方服务器或对方服务器出现故障",
        explanation_en=(
            "The receiving server did not answer, dropped the connection, was too busy, or reported a "
            "temporary problem of its own, so the delivery could not be completed."
        ),
        explanation_zh="对方服务器没有响应、中断了连接、过于繁忙，或报告了自身的临时故障，因此投递没能完成。",
        advice_en=(
            "This is usually temporary: wait a while and send again. If it keeps happening, tell the "
            "recipient their mail server may be down, or ask your mail administrator to look into it."
        ),
        advice_zh=(
            "这种情况通常是暂时的，请过一段时间再重新发送。如果反复出现，请告诉对方其邮件服务器可能有故障，"
            "或请本企业邮箱管理员排查。"
        ),
        permanent=False,
    ),
    _C.TLS_FAILURE: CauseText(
        title_en="A secure connection to the receiving server could not be set up",
        title_zh="无法与对方服务器建立加密连接",
        explanation_en=(
            "The message has to travel over an encrypted connection, but encryption could not be set up "
            "with the receiving server (for example its certificate has expired or does not match, or it "
            "does not support encryption)."
        ),
        explanation_zh=(
            "这封邮件需要通过加密连接传送，但没能与对方服务器建立加密（例如对方证书已过期或与域名不符，"
            "或对方不支持加密）。"
        ),
        advice_en=(
            "Try again later. If it keeps failing, tell the recipient that their mail server's "
            "encryption settings (TLS certificate) need attention, and let your mail administrator know."
        ),
        advice_zh=(
            "请稍后重试。如果一直失败，请告诉对方其邮件服务器的加密设置（TLS 证书）需要检查，"
            "同时告知本企业邮箱管理员。"
        ),
        permanent=False,
    ),
    _C.BLACKLISTED_IP_OR_SENDER: CauseText(
        title_en="The receiving server is blocking our mail server or your address",
        title_zh="对方服务器屏蔽了我们的发信服务器或您的地址",
        explanation_en=(
            "The receiving server refused the message because our sending server's IP address, or your "
            "sender address, is on a block list it uses (its own list or a public anti-spam list). This "
            "is about sending reputation, not about this particular message."
        ),
        explanation_zh=(
            "对方服务器拒收了这封邮件，"
            "因为我们发信服务器的 IP 地址或您的发件地址在它使用的黑名单上（对方自己的名单或公共反垃圾名单）。"
            "这与发信信誉有关，并不是这封邮件本身的问题。"
        ),
        advice_en=(
            "Forward this notice to your mail administrator, who can request removal from the list. "
            "Meanwhile, ask the recipient to add your address to their allow list, or reach them another "
            "way."
        ),
        advice_zh=(
            "请把这封退信转给本企业邮箱管理员，由其申请从黑名单中移除。在此期间，"
            "可以请对方把您的地址加入白名单，或改用其他方式联系对方。"
        ),
        permanent=True,
    ),
    _C.SPAM_OR_CONTENT_REJECTED: CauseText(
        title_en="The message was rejected as spam or because of its content",
        title_zh="邮件被当作垃圾邮件或因内容被拒收",
        explanation_en=(
            "The receiving server's filter judged the message to be spam or advertising, or found words, "
            "links or formatting that its rules do not accept."
        ),
        explanation_zh=(
            "对方服务器的过滤系统认为这封邮件是垃圾邮件或广告，或者在邮件里发现了其规则不允许的字词、"
            "链接或格式。"
        ),
        advice_en=(
            "Reword the subject and text in plain business language (avoid many links, image-only "
            "messages and sales wording), or send the content as a compressed attachment. If it is still "
            "rejected, ask the recipient to add you to their allow list or to check with their mail "
            "administrator."
        ),
        advice_zh=(
            "请用平实的工作语言改写主题和正文（避免大量链接、整封都是图片或推销式措辞），"
            "或者把内容压缩成附件发送。如果仍被拒收，请对方把您加入白名单，或请对方向其邮箱管理员确认原因。"
        ),
        permanent=True,
    ),
    _C.VIRUS: CauseText(
        title_en="A virus was found in the message",
        title_zh="邮件中发现病毒",
        explanation_en=(
            "A virus scanner found malicious software in the message or in one of its attachments, so it "
            "was not delivered."
        ),
        explanation_zh="病毒扫描在邮件或其附件中发现了恶意程序，因此邮件没有被投递。",
        advice_en=(
            "Do not send the same file again. Update your antivirus software, scan your computer and the "
            "file, and send a clean copy. If you are sure the file is safe, contact your IT department."
        ),
        advice_zh=(
            "请不要再发送同一个文件。请更新杀毒软件，全面扫描电脑和该文件，确认干净后再发送。"
            "如果您确信文件是安全的，请联系公司 IT 部门。"
        ),
        permanent=True,
    ),
    _C.ACCOUNT_DISABLED_OR_SUSPENDED: CauseText(
        title_en="The recipient's mailbox is disabled or suspended",
        title_zh="收件人邮箱已停用或被冻结",
        explanation_en=(
            "The address exists, but the recipient's mailbox has been disabled, suspended, locked or has "
            "expired, so it is not accepting mail at the moment."
        ),
        explanation_zh="这个地址是存在的，但收件人的邮箱已被停用、冻结、锁定或已到期，目前不接收邮件。",
        advice_en=(
            "Contact the recipient another way: they (or their company) may need to reactivate the "
            "mailbox, or can give you a different address."
        ),
        advice_zh="请通过其他方式联系对方：对方（或其公司）可能需要重新启用邮箱，也可以给您另一个地址。",
        permanent=True,
    ),
    _C.AUTHENTICATION_REQUIRED: CauseText(
        title_en="The receiving server could not confirm the message really comes from you",
        title_zh="对方服务器无法确认邮件确实来自您",
        explanation_en=(
            "The receiving server wanted proof that the message was sent by your organisation and did not "
            "get it. Either your domain's sender checks (SPF, DKIM or DMARC) failed, or that server "
            "expected a login, which often happens when your domain is still set up at your previous mail "
            "provider."
        ),
        explanation_zh=(
            "对方服务器要求证明这封邮件确实由贵单位发出，但没有得到确认。可能是您域名的发信验证（SPF、"
            "DKIM 或 DMARC）没有通过，也可能是对方服务器要求登录验证，"
            "这常见于您的域名仍然配置在原来的邮件服务商那里。"
        ),
        advice_en=(
            "Forward this notice to your mail administrator. They should run the domain check in the "
            "admin console, fix the SPF, DKIM and DMARC records, and make sure the domain has been "
            "removed from any previous mail provider."
        ),
        advice_zh=(
            "请把这封退信转给本企业邮箱管理员。管理员应在管理后台运行域名检测，修正 SPF、DKIM 和 DMARC 记录，"
            "并确认域名已从原来的邮件服务商处删除。"
        ),
        permanent=True,
    ),
    _C.RELAYING_DENIED: CauseText(
        title_en="The receiving server does not handle mail for this address",
        title_zh="对方服务器不负责这个地址的邮件",
        explanation_en=(
            "The server we reached refused the message for this recipient because it does not handle mail "
            'for that domain (it will not "relay" it). Usually the recipient\'s domain points its mail '
            "records at a server that no longer hosts it."
        ),
        explanation_zh=(
            "我们连接到的服务器拒绝为这个收件人收信，因为它不负责该域名的邮件（不允许“中继”）。"
            "通常是收件人域名的邮件记录指向了一台已不再托管该域名的服务器。"
        ),
        advice_en=(
            "Check the address for typos. If it is right, tell the recipient another way that their "
            "domain's mail (MX) settings look wrong. If this happens with many recipients, contact your "
            "mail administrator."
        ),
        advice_zh=(
            "请检查收件地址是否有误。如果没错，请通过其他方式告诉对方其域名的邮件（MX）设置可能有问题。"
            "如果很多收件人都出现这种情况，请联系本企业邮箱管理员。"
        ),
        permanent=True,
    ),
    _C.TOO_MANY_RECIPIENTS: CauseText(
        title_en="Too many recipients in one message",
        title_zh="一封邮件的收件人太多",
        explanation_en="The message had more recipients than the receiving server accepts in one message.",
        explanation_zh="这封邮件的收件人数量超过了对方服务器单封邮件允许的上限。",
        advice_en=(
            "Split the recipients into smaller groups and send the message several times, or use a "
            "mail group."
        ),
        advice_zh="请把收件人分成几批，分几次发送，或者改用邮件组。",
        permanent=True,
    ),
    _C.RATE_LIMITED: CauseText(
        title_en="Too much mail was sent in a short time",
        title_zh="短时间内发信过多",
        explanation_en=(
            "The receiving server, or our own platform's sending limits, temporarily refused the message "
            "because too many messages or recipients were sent in a short time."
        ),
        explanation_zh=(
            "由于短时间内发出的邮件或收件人太多，对方服务器（或本平台的发信限制）暂时拒绝了这封邮件。"
        ),
        advice_en=(
            "Wait a while (about an hour, or until tomorrow if a daily limit was reached) and send again. "
            "Spread large mailings over time; this service is not meant for bulk or marketing mail."
        ),
        advice_zh=(
            "请等一段时间（约一小时；如果达到了每日上限，请明天再发）后重新发送。大批量发信请分散时间；"
            "本邮箱服务不用于群发或营销邮件。"
        ),
        permanent=False,
    ),
    _C.FORBIDDEN_ATTACHMENT: CauseText(
        title_en="An attachment type is not allowed",
        title_zh="附件类型不被允许",
        explanation_en=(
            "The message has an attachment of a kind that mail servers often refuse because it can run "
            "programs, such as .exe, .scr, .bat, .cmd, .com, .pif, .js, .vbs or .wsh files."
        ),
        explanation_zh=(
            "邮件里有一种邮件服务器经常拒收的附件，因为这类文件可以运行程序，例如 .exe、.scr、.bat、.cmd、"
            ".com、.pif、.js、.vbs、.wsh 文件。"
        ),
        advice_en=(
            "Put the file into a compressed archive (.zip or .7z) and send again, or share it as a "
            "cloud-drive link. If it is still refused, ask the recipient which file types their server "
            "accepts."
        ),
        advice_zh=(
            "请把文件压缩成 .zip 或 .7z 后重新发送，或改用网盘链接分享。如果仍被拒收，"
            "请问对方的服务器允许接收哪些文件类型。"
        ),
        permanent=True,
    ),
    _C.MAIL_LOOP: CauseText(
        title_en="The message was going round in a loop",
        title_zh="邮件在服务器之间循环投递",
        explanation_en=(
            "The message was passed back and forth between mail servers, or forwarded in a circle, too "
            "many times, so delivery was stopped to prevent an endless loop."
        ),
        explanation_zh=(
            "邮件在邮件服务器之间来回传递（或被循环转发）的次数太多，为了避免无限循环，投递已被停止。"
        ),
        advice_en=(
            "Check that no automatic forwarding sends the message back to you or round to the same "
            "mailbox. Tell the recipient their mail routing may be misconfigured; if it persists, ask "
            "your mail administrator."
        ),
        advice_zh=(
            "请确认没有自动转发把邮件转回给您或在同一个邮箱之间来回转。请告诉对方其邮件路由可能配置有误；"
            "如果问题持续，请联系本企业邮箱管理员。"
        ),
        permanent=True,
    ),
    _C.NOT_ALLOWED_BY_RECIPIENT: CauseText(
        title_en="The recipient does not accept mail from you",
        title_zh="收件人不接收您的邮件",
        explanation_en=(
            "The recipient's settings do not allow mail from your address: they may have blocked you, or "
            "only accept mail from their contacts or from approved senders."
        ),
        explanation_zh=(
            "收件人的设置不允许接收您地址发来的邮件：对方可能屏蔽了您，或者只接收联系人或指定发件人的邮件。"
        ),
        advice_en=(
            "Contact the recipient another way and ask them to add your address to their allow list (or "
            "take it off their block list), then send again."
        ),
        advice_zh="请通过其他方式联系对方，请对方把您的地址加入白名单（或从黑名单中移除），然后重新发送。",
        permanent=True,
    ),
    _C.DELIVERY_EXPIRED: CauseText(
        title_en="Delivery kept failing, so we stopped trying",
        title_zh="多次投递失败，已停止重试",
        explanation_en=(
            "We tried again and again over a long period to deliver this message, but the receiving "
            "server never accepted it. The last problem we met is included in the technical details."
        ),
        explanation_zh=(
            "我们在很长一段时间里反复尝试投递这封邮件，但对方服务器始终没有接收。"
            "最后一次遇到的问题附在技术详情中。"
        ),
        advice_en=(
            "Check the recipient's address and send again later. If it fails again, contact the "
            "recipient another way: their mail server may be out of service."
        ),
        advice_zh=(
            "请核对收件地址，稍后重新发送。如果再次失败，请通过其他方式联系对方，"
            "对方的邮件服务器可能已停止服务。"
        ),
        permanent=True,
    ),
    _C.OTHER: CauseText(
        title_en="The message could not be delivered",
        title_zh="邮件无法投递",
        explanation_en=(
            "The receiving server refused the message for a reason we could not recognise. Its exact "
            "reply is included in the technical details."
        ),
        explanation_zh="对方服务器拒收了这封邮件，原因我们无法识别。对方服务器的原始回复附在技术详情中。",
        advice_en=(
            "Check the recipient's address and try again later. If it fails again, forward this notice to "
            "your mail administrator, or show the reply to the recipient's IT staff."
        ),
        advice_zh=(
            "请核对收件地址并稍后重试。如果再次失败，请把这封退信转给本企业邮箱管理员，"
            "或把对方服务器的回复提供给对方的 IT 人员。"
        ),
        permanent=True,
    ),
}

# Read-only view: the table is shared by every caller and must not be edited at run time.
CAUSE_TEXTS: Mapping[BounceCauseId, CauseText] = MappingProxyType(_TEXTS)


def cause_text(cause: BounceCauseId) -> CauseText:
    """Return the words for ``cause``."""
    return CAUSE_TEXTS[cause]
