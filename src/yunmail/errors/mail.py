"""Errors of the mail store, SMTP and sending."""

from __future__ import annotations

from yunmail.errors.base import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    TooLarge,
    Unavailable,
)

# --- mail store ----------------------------------------------------------------------------------


class FolderNotFound(NotFound):
    code = "FOLDER_NOT_FOUND"
    en = "Folder '{name}' does not exist"
    zh = "文件夹“{name}”不存在"


class FolderExists(Conflict):
    code = "FOLDER_EXISTS"
    en = "Folder '{name}' already exists"
    zh = "文件夹“{name}”已存在"


class FolderNameInvalid(InvalidInput):
    code = "FOLDER_NAME_INVALID"
    en = "'{name}' is not a valid folder name"
    zh = "“{name}”不是有效的文件夹名称"


class FolderProtected(Conflict):
    code = "FOLDER_PROTECTED"
    en = "Folder '{name}' is a system folder and cannot be deleted or renamed"
    zh = "“{name}”是系统文件夹，不能删除或重命名"


class FolderHasChildren(Conflict):
    code = "FOLDER_HAS_CHILDREN"
    en = "Folder '{name}' has sub-folders; delete them first"
    zh = "文件夹“{name}”下有子文件夹，请先删除子文件夹"


class MessageNotFound(NotFound):
    code = "MESSAGE_NOT_FOUND"
    en = "Message not found"
    zh = "邮件不存在"


# --- smtp and sending ----------------------------------------------------------------------------


class RecipientUnknown(NotFound):
    code = "RECIPIENT_UNKNOWN"
    smtp = (550, "5.1.1")
    en = "No mailbox here by the name {address}"
    zh = "本系统不存在邮箱 {address}"


class RelayDenied(Forbidden):
    code = "RELAY_DENIED"
    smtp = (550, "5.7.1")
    en = "Relaying denied: {domain} is not hosted here (sign in on the submission port to send elsewhere)"
    zh = "拒绝转发：域名 {domain} 不在本系统托管（向外发信请在提交端口登录后发送）"


class DomainNotReceiving(Forbidden):
    code = "DOMAIN_NOT_RECEIVING"
    smtp = (550, "5.7.1")
    en = "Mail for {domain} is not accepted from the Internet here: the domain is not verified for receiving"
    zh = "本系统不接收发往 {domain} 的外部邮件：该域名尚未通过收发信验证"


class SenderNotAllowed(Forbidden):
    code = "SENDER_NOT_ALLOWED"
    smtp = (550, "5.7.1")
    en = (
        "You may not send as {address}; use your own address, one of its aliases "
        "or a shared mailbox you belong to"
    )
    zh = "您无权以 {address} 的名义发信，请使用本人邮箱地址、其别名或您所属的公共邮箱"


class TooManyRecipients(LimitExceeded):
    code = "TOO_MANY_RECIPIENTS"
    smtp = (452, "4.5.3")
    en = "Too many recipients: at most {limit} per message"
    zh = "收件人过多：每封邮件最多 {limit} 个收件人"


class RecipientLimitExceeded(LimitExceeded):
    code = "RECIPIENT_LIMIT_EXCEEDED"
    smtp = (554, "5.5.3")
    en = (
        "The message had more than {limit} recipients and was not sent to anyone; "
        "send it to at most {limit} recipients at a time"
    )
    zh = "该邮件收件人超过 {limit} 个，未发送给任何人；请每次最多发送给 {limit} 个收件人"


class SendRateLimited(LimitExceeded):
    code = "SEND_RATE_LIMITED"
    smtp = (451, "4.7.1")
    en = "You sent more than {limit} messages in {minutes} minutes; wait a few minutes and try again"
    zh = "您在 {minutes} 分钟内发送的邮件超过 {limit} 封，请稍候几分钟再试"


class DailySendLimitReached(LimitExceeded):
    code = "DAILY_SEND_LIMIT_REACHED"
    smtp = (550, "5.4.5")
    en = "The daily sending limit of {limit} messages is reached; nothing was sent, try again tomorrow"
    zh = "已达到每日 {limit} 封的发信上限，本邮件未发送，请明天再试"


class EnterpriseSendCeilingReached(LimitExceeded):
    code = "ENTERPRISE_SEND_CEILING_REACHED"
    smtp = (550, "5.4.5")
    en = (
        "Your enterprise reached its daily sending ceiling of {limit} messages; nothing was sent, "
        "ask your administrator"
    )
    zh = "贵企业已达到每日 {limit} 封的发信总上限，本邮件未发送，请联系管理员"


class BareLineEnding(InvalidInput):
    code = "BARE_LINE_ENDING"
    smtp = (554, "5.5.2")
    en = "Message refused: it contains a bare CR or LF; every line must end with CRLF (RFC 5321 §2.3.8)"
    zh = "邮件被拒绝：内容含有单独的 CR 或 LF 换行符，每行必须以 CRLF 结尾（RFC 5321 §2.3.8）"


class NulInMessage(InvalidInput):
    code = "NUL_IN_MESSAGE"
    smtp = (554, "5.6.0")
    en = "Message refused: it contains NUL characters, which SMTP does not carry"
    zh = "邮件被拒绝：内容含有 NUL 字符，SMTP 不允许传输此类字符"


class MessageLineTooLong(InvalidInput):
    code = "MESSAGE_LINE_TOO_LONG"
    smtp = (554, "5.6.0")
    en = "Message refused: a line is longer than 1000 octets (RFC 5321 §4.5.3.1.6)"
    zh = "邮件被拒绝：有一行超过 1000 个字节（RFC 5321 §4.5.3.1.6）"


class CommandTooLong(InvalidInput):
    code = "COMMAND_TOO_LONG"
    smtp = (500, "5.5.2")
    en = "Command line too long (RFC 5321 §4.5.3.1.4)"
    zh = "命令行过长（RFC 5321 §4.5.3.1.4）"


class CommandUnrecognised(InvalidInput):
    code = "COMMAND_UNRECOGNISED"
    smtp = (500, "5.5.1")
    en = "Command not recognised"
    zh = "无法识别的命令"


class CommandSyntax(InvalidInput):
    code = "COMMAND_SYNTAX"
    smtp = (501, "5.5.4")
    en = "Syntax error: {detail}"
    zh = "语法错误：{detail}"


class CommandOutOfSequence(Conflict):
    code = "COMMAND_OUT_OF_SEQUENCE"
    smtp = (503, "5.5.1")
    en = "Bad sequence of commands: {detail}"
    zh = "命令顺序错误：{detail}"


class ParameterNotSupported(InvalidInput):
    code = "PARAMETER_NOT_SUPPORTED"
    smtp = (555, "5.5.4")
    en = "Parameter {name} is not supported here"
    zh = "不支持参数 {name}"


class AddressHasControlCharacter(InvalidInput):
    code = "ADDRESS_CONTROL_CHARACTER"
    smtp = (553, "5.1.3")
    en = "Address refused: it contains a control character (such as NUL, CR or LF)"
    zh = "地址被拒绝：其中含有控制字符（如 NUL、CR 或 LF）"


class SmtpUtf8Required(InvalidInput):
    code = "SMTPUTF8_REQUIRED"
    smtp = (553, "5.6.7")
    en = "A non-ASCII address needs the SMTPUTF8 parameter on MAIL FROM (RFC 6531)"
    zh = "非 ASCII 字符的地址须在 MAIL FROM 中声明 SMTPUTF8 参数（RFC 6531）"


class AddressNotUtf8(InvalidInput):
    code = "ADDRESS_NOT_UTF8"
    smtp = (553, "5.6.7")
    en = "Address refused: it is not valid UTF-8"
    zh = "地址被拒绝：不是有效的 UTF-8 编码"


class TlsRequired(Forbidden):
    code = "TLS_REQUIRED"
    smtp = (530, "5.7.0")
    en = "Must issue a STARTTLS command first"
    zh = "请先发送 STARTTLS 命令启用加密"


class SmtpAuthRequired(AuthenticationFailed):
    code = "SMTP_AUTH_REQUIRED"
    smtp = (530, "5.7.0")
    en = "Authentication required: sign in with your login account and password or client password"
    zh = "需要认证：请使用登录账号和密码（或客户端专用密码）登录"


class AuthNotOffered(Conflict):
    code = "AUTH_NOT_OFFERED"
    smtp = (503, "5.5.1")
    en = "AUTH is not offered on this port; use the submission port (587 or 465)"
    zh = "此端口不提供登录认证，请使用邮件提交端口（587 或 465）"


class DmarcRejected(Forbidden):
    code = "DMARC_REJECTED"
    smtp = (550, "5.7.1")
    en = "Message rejected: {domain} asks receivers to reject mail that fails DMARC, and this one failed"
    zh = "邮件被拒绝：{domain} 的 DMARC 策略要求拒收未通过验证的邮件，本邮件未通过"


class ContentRejected(Forbidden):
    code = "CONTENT_REJECTED"
    smtp = (550, "5.7.1")
    en = "Message rejected by the {filter} filter: {reason}"
    zh = "邮件被 {filter} 过滤器拒绝：{reason}"


class TooManyConnections(LimitExceeded):
    code = "TOO_MANY_CONNECTIONS"
    smtp = (421, "4.7.0")
    en = "Too many connections from your address; try again later"
    zh = "来自您地址的连接过多，请稍后再试"


class DeliveryIncomplete(Unavailable):
    code = "DELIVERY_INCOMPLETE"
    smtp = (451, "4.2.0")
    en = "Not every recipient could take the message ({reason}); try again later"
    zh = "部分收件人暂时无法接收该邮件（{reason}），请稍后重试"


class FromHeaderMissing(InvalidInput):
    code = "FROM_HEADER_MISSING"
    smtp = (554, "5.6.0")
    en = "Message refused: it has no From header field (RFC 5322 §3.6)"
    zh = "邮件被拒绝：缺少发件人（From）头字段（RFC 5322 §3.6）"


# --- webmail compose -----------------------------------------------------------------------------


class HeaderLineBreak(InvalidInput):
    code = "HEADER_LINE_BREAK"
    en = "Line breaks are not allowed in the {field} field"
    zh = "“{field}”中不能包含换行"


class NoRecipients(InvalidInput):
    code = "NO_RECIPIENTS"
    en = "Add at least one recipient (To, Cc or Bcc)"
    zh = "请至少填写一个收件人（收件人、抄送或密送）"


class AttachmentsTooLarge(TooLarge):
    code = "ATTACHMENTS_TOO_LARGE"
    en = "The attachments add up to more than {limit} MB, the most one message may carry"
    zh = "附件总大小超过单封邮件允许的 {limit} MB"


class AttachmentNotFound(NotFound):
    code = "ATTACHMENT_NOT_FOUND"
    en = "Attachment not found"
    zh = "附件不存在"


# --- mailbox automation (auto-reply, forwarding, rules) -------------------------------------------


class AutomationInvalid(InvalidInput):
    code = "AUTOMATION_INVALID"
    en = "These mail settings cannot be saved: {detail}"
    zh = "邮件设置无法保存：{detail}"


class ForwardAddressInvalid(InvalidInput):
    code = "FORWARD_ADDRESS_INVALID"
    en = "“{address}” cannot be a forwarding address (check the spelling; it cannot be this mailbox itself)"
    zh = "“{address}”不能作为转发地址（请检查拼写；不能转发给本邮箱自己）"
