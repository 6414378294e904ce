"""The error catalogue: every failure a user or client can see, with a stable code and its words.

Services raise these; each front door renders them in its own protocol through exactly one mapping
module (SMTP ``protocols/smtp/replies.py``, IMAP/POP3 session mapping, ``web/errors.py``).

Each concrete error class carries:

* ``code``        stable machine code (API ``{"code": ...}``, CLI ``--json``), never renamed;
* ``http_status`` status for the REST API;
* ``smtp``        ``(reply code, enhanced status)`` where the error can surface in SMTP;
* ``en`` / ``zh`` message templates, ``str.format`` style, filled from the keyword arguments.

The tree::

    YunmailError
    ├── InvalidInput (400)        bad syntax or values supplied by the caller
    ├── AuthenticationFailed (401)
    ├── Forbidden (403)           the caller may not do this
    ├── NotFound (404)            unknown id, or an id of another enterprise
    ├── Conflict (409)            state forbids it: occupied, not empty, wrong lifecycle step
    ├── Gone (410)                expired links and codes
    ├── TooLarge (413)            sizes and quotas
    ├── LimitExceeded (429)       rates and counts
    └── Unavailable (503)         transient trouble; retry later
"""

from __future__ import annotations

from typing import ClassVar


class YunmailError(Exception):
    """Base of every catalogued error. Subclasses set the class attributes below."""

    code: ClassVar[str] = "INTERNAL_ERROR"
    http_status: ClassVar[int] = 500
    smtp: ClassVar[tuple[int, str]] = (451, "4.3.0")
    en: ClassVar[str] = "Internal error"
    zh: ClassVar[str] = "内部错误"

    def __init__(self, **params: object) -> None:
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        template = self.zh if lang.lower().startswith("zh") else self.en
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return template

    def as_dict(self, lang: str = "en") -> dict[str, object]:
        return {"code": self.code, "message": self.text(lang)}


class InvalidInput(YunmailError):
    code = "INVALID_INPUT"
    http_status = 400
    smtp = (501, "5.5.4")
    en = "Invalid input: {detail}"
    zh = "输入无效：{detail}"


class AuthenticationFailed(YunmailError):
    code = "AUTHENTICATION_FAILED"
    http_status = 401
    smtp = (535, "5.7.8")
    en = "Authentication failed"
    zh = "认证失败"


class Forbidden(YunmailError):
    code = "FORBIDDEN"
    http_status = 403
    smtp = (550, "5.7.1")
    en = "You are not allowed to do this"
    zh = "您无权执行此操作"


class NotFound(YunmailError):
    code = "NOT_FOUND"
    http_status = 404
    smtp = (550, "5.1.1")
    en = "Not found"
    zh = "未找到"


class Conflict(YunmailError):
    code = "CONFLICT"
    http_status = 409
    smtp = (550, "5.7.1")
    en = "The request conflicts with the current state"
    zh = "请求与当前状态冲突"


class Gone(YunmailError):
    code = "GONE"
    http_status = 410
    en = "This link or code has expired"
    zh = "此链接或验证码已过期"


class TooLarge(YunmailError):
    code = "TOO_LARGE"
    http_status = 413
    smtp = (552, "5.3.4")
    en = "Too large"
    zh = "超出大小限制"


class LimitExceeded(YunmailError):
    code = "LIMIT_EXCEEDED"
    http_status = 429
    smtp = (451, "4.7.1")
    en = "A limit was exceeded; try again later"
    zh = "超出限制，请稍后再试"


class Unavailable(YunmailError):
    code = "UNAVAILABLE"
    http_status = 503
    smtp = (451, "4.3.0")
    en = "Temporarily unavailable; try again later"
    zh = "服务暂时不可用，请稍后再试"


# --- configuration -----------------------------------------------------------------------------


class ConfigInvalid(InvalidInput):
    code = "CONFIG_INVALID"
    en = "Configuration error: {detail}"
    zh = "配置错误：{detail}"


# --- enterprises (PRODUCT §2) ------------------------------------------------------------------


class EnterpriseNotFound(NotFound):
    code = "ENTERPRISE_NOT_FOUND"
    en = "Enterprise not found"
    zh = "企业不存在"


class EnterpriseNameInvalid(InvalidInput):
    code = "ENTERPRISE_NAME_INVALID"
    en = "The enterprise name must be 1-100 characters"
    zh = "企业名称长度须为 1-100 个字符"


class OrgIdInvalid(InvalidInput):
    code = "ORG_ID_INVALID"
    en = "The organisation identifier must be 2-32 lower-case letters, digits or '-', starting with a letter"
    zh = "组织标识须为 2-32 位小写字母、数字或“-”，并以字母开头"


class OrgIdTaken(Conflict):
    code = "ORG_ID_TAKEN"
    en = "The organisation identifier '{org_id}' is already used by another enterprise"
    zh = "组织标识“{org_id}”已被其他企业使用"


class EnterpriseImmutable(Conflict):
    code = "ENTERPRISE_IMMUTABLE"
    en = "The enterprise name and organisation identifier cannot be changed; dissolve and re-create instead"
    zh = "企业名称和组织标识创建后不可修改，如需修改请解散后重新创建"


class EnterpriseNotEmpty(Conflict):
    code = "ENTERPRISE_NOT_EMPTY"
    en = (
        "The enterprise still has {departments} department(s) and {members} member(s); "
        "remove them before dissolving"
    )
    zh = "企业下仍有 {departments} 个部门和 {members} 名成员，请先删除后再解散"


class DissolveConfirmationRequired(Conflict):
    code = "DISSOLVE_CONFIRMATION_REQUIRED"
    en = "Dissolving deletes all data of the enterprise; confirm with the confirmation token"
    zh = "解散将删除企业的全部数据，请使用确认码进行二次确认"


class DissolveConfirmationInvalid(InvalidInput):
    code = "DISSOLVE_CONFIRMATION_INVALID"
    en = "The dissolve confirmation is wrong or has expired"
    zh = "解散确认码错误或已过期"


class EnterpriseSuspended(Forbidden):
    code = "ENTERPRISE_SUSPENDED"
    en = "The enterprise is suspended"
    zh = "该企业已停用"


# --- departments (PRODUCT §2) ------------------------------------------------------------------


class DepartmentNotFound(NotFound):
    code = "DEPARTMENT_NOT_FOUND"
    en = "Department not found"
    zh = "部门不存在"


class DepartmentNameInvalid(InvalidInput):
    code = "DEPARTMENT_NAME_INVALID"
    en = "A department name must be 1-64 characters and cannot contain '/'"
    zh = "部门名称长度须为 1-64 个字符，且不能包含“/”"


class DepartmentNameTaken(Conflict):
    code = "DEPARTMENT_NAME_TAKEN"
    en = "A department named '{name}' already exists at this level"
    zh = "同级下已存在名为“{name}”的部门"


class DepartmentMoveCycle(Conflict):
    code = "DEPARTMENT_MOVE_CYCLE"
    en = "A department cannot be moved under itself or one of its sub-departments"
    zh = "不能将部门移动到其自身或其子部门下"


class DepartmentNotEmpty(Conflict):
    code = "DEPARTMENT_NOT_EMPTY"
    en = (
        "The department still has {children} sub-department(s) and {members} member(s); "
        "move or delete them first"
    )
    zh = "该部门下仍有 {children} 个子部门和 {members} 名成员，请先移走或删除"


# --- members and login accounts (PRODUCT §3) ---------------------------------------------------


class MemberNotFound(NotFound):
    code = "MEMBER_NOT_FOUND"
    en = "Member not found"
    zh = "成员不存在"


class MemberNameInvalid(InvalidInput):
    code = "MEMBER_NAME_INVALID"
    en = "The member name must be 1-64 characters"
    zh = "成员姓名长度须为 1-64 个字符"


class AccountInvalid(InvalidInput):
    code = "ACCOUNT_INVALID"
    en = "The login account must be 1-20 characters of letters, digits, '_', '.' or '-'"
    zh = "登录账号须为 1-20 位字母、数字、“_”、“.”或“-”"


class AccountTaken(Conflict):
    code = "ACCOUNT_TAKEN"
    en = "The login account '{account}' already exists in this enterprise"
    zh = "本企业已存在登录账号“{account}”"


class AccountImmutable(Conflict):
    code = "ACCOUNT_IMMUTABLE"
    en = "A login account cannot be changed; delete the member and create it again (back up the mail first)"
    zh = "登录账号不可修改，如需修改请删除成员后重新创建（请先备份邮件）"


class PhoneInvalid(InvalidInput):
    code = "PHONE_INVALID"
    en = "The phone number is not valid"
    zh = "手机号码格式不正确"


class PhoneTaken(Conflict):
    code = "PHONE_TAKEN"
    en = "The phone number is already used by another member of this enterprise"
    zh = "该手机号已被本企业其他成员使用"


class ContactEmailInvalid(InvalidInput):
    code = "CONTACT_EMAIL_INVALID"
    en = "The contact e-mail address is not valid"
    zh = "联系邮箱格式不正确"


class ContactRequired(InvalidInput):
    code = "CONTACT_REQUIRED"
    en = "A member needs a phone number or a contact e-mail address (at least one)"
    zh = "成员须至少填写手机号或联系邮箱中的一项"


class RoleInvalid(InvalidInput):
    code = "ROLE_INVALID"
    en = "The role must be 'member' or 'administrator'"
    zh = "角色须为“成员”或“管理员”"


class StaffTypeInvalid(InvalidInput):
    code = "STAFF_TYPE_INVALID"
    en = "The staff type must be regular, intern, dispatched or outsourced"
    zh = "员工类型须为正式、实习、派遣或外包"


class HireDateInvalid(InvalidInput):
    code = "HIRE_DATE_INVALID"
    en = "The hire date must be a date written as YYYY/MM/DD"
    zh = "入职日期须为 YYYY/MM/DD 格式的日期"


class PasswordTooShort(InvalidInput):
    code = "PASSWORD_TOO_SHORT"
    en = "The password must be at least 8 characters"
    zh = "密码至少 8 位"


class PasswordTooLong(InvalidInput):
    code = "PASSWORD_TOO_LONG"
    en = "The password must be at most 32 characters"
    zh = "密码最多 32 位"


class PasswordTooWeak(InvalidInput):
    code = "PASSWORD_TOO_WEAK"
    en = "The password must mix at least two of: digits, upper-case letters, lower-case letters, symbols"
    zh = "密码须包含数字、大写字母、小写字母、特殊字符中的至少两种"


class MemberNotDisabled(Conflict):
    code = "MEMBER_NOT_DISABLED"
    en = "Disable the member before deleting it"
    zh = "请先停用该成员，再删除"


class MemberDisabled(Conflict):
    code = "MEMBER_DISABLED"
    en = "The member is disabled"
    zh = "该成员已停用"


# --- mailboxes (PRODUCT §5) --------------------------------------------------------------------


class MailboxNotFound(NotFound):
    code = "MAILBOX_NOT_FOUND"
    en = "Mailbox not found"
    zh = "邮箱不存在"


class LocalPartInvalid(InvalidInput):
    code = "LOCAL_PART_INVALID"
    en = (
        "The address before '@' must be 1-64 letters, digits, '-', '_' or '.', "
        "and cannot start or end with '.' or contain '..'"
    )
    zh = "邮箱前缀须为 1-64 位字母、数字、“-”、“_”或“.”，不能以“.”开头或结尾，也不能包含连续的“..”"


class AddressInvalid(InvalidInput):
    code = "ADDRESS_INVALID"
    smtp = (553, "5.1.3")
    en = "'{address}' is not a valid e-mail address"
    zh = "“{address}”不是有效的邮箱地址"


class AddressOccupied(Conflict):
    code = "ADDRESS_OCCUPIED"
    en = "The address {address} is already in use"
    zh = "邮箱地址 {address} 已被占用"


class AddressInRecycleBin(Conflict):
    code = "ADDRESS_IN_RECYCLE_BIN"
    en = "The mailbox {address} is still in the recycle bin; restore or purge it first"
    zh = "邮箱 {address} 仍在回收站中，请先恢复或彻底删除"


class MailboxAlreadyOpen(Conflict):
    code = "MAILBOX_ALREADY_OPEN"
    en = "This member already has a mailbox ({address})"
    zh = "该成员已开通邮箱（{address}）"


class MailboxNotOpened(Forbidden):
    code = "MAILBOX_NOT_OPENED"
    en = "This application is not authorised for you; ask your administrator to open a mailbox"
    zh = "您未获得此应用的授权，请联系管理员开通邮箱"


class MailboxNotInRecycleBin(Conflict):
    code = "MAILBOX_NOT_IN_RECYCLE_BIN"
    en = "The mailbox {address} is not in the recycle bin"
    zh = "邮箱 {address} 不在回收站中"


class MailboxRecycled(Conflict):
    code = "MAILBOX_RECYCLED"
    smtp = (550, "5.2.1")
    en = "The mailbox {address} is closed (in the recycle bin)"
    zh = "邮箱 {address} 已关闭（在回收站中）"


class SeatsExhausted(Conflict):
    code = "SEATS_EXHAUSTED"
    en = "All {seats} mailbox seats of the subscription are in use; add seats first"
    zh = "订阅的 {seats} 个邮箱席位已用完，请先增加席位"


class QuotaExceeded(TooLarge):
    code = "QUOTA_EXCEEDED"
    smtp = (552, "5.2.2")
    en = "The mailbox is full"
    zh = "邮箱空间已满"


class MessageTooLarge(TooLarge):
    code = "MESSAGE_TOO_LARGE"
    smtp = (552, "5.3.4")
    en = "The message is larger than the limit of {limit} bytes"
    zh = "邮件大小超过 {limit} 字节的限制"


# --- groups and shared mailboxes (PRODUCT §2) --------------------------------------------------


class GroupNotFound(NotFound):
    code = "GROUP_NOT_FOUND"
    en = "Group not found"
    zh = "邮件组不存在"


class GroupNameInvalid(InvalidInput):
    code = "GROUP_NAME_INVALID"
    en = "The group name must be 1-64 characters"
    zh = "邮件组名称长度须为 1-64 个字符"


class SharedMailboxNotFound(NotFound):
    code = "SHARED_MAILBOX_NOT_FOUND"
    en = "Shared mailbox not found"
    zh = "公共邮箱不存在"


# --- administrators and invitations (PRODUCT §2) -----------------------------------------------


class InvitationNotFound(NotFound):
    code = "INVITATION_NOT_FOUND"
    en = "The invitation link is not valid"
    zh = "邀请链接无效"


class InvitationExpired(Gone):
    code = "INVITATION_EXPIRED"
    en = "The invitation has expired; ask an administrator to invite you again"
    zh = "邀请已过期，请联系管理员重新邀请"


class InvitationAlreadyAccepted(Conflict):
    code = "INVITATION_ALREADY_ACCEPTED"
    en = "The invitation has already been accepted"
    zh = "该邀请已被接受"


class AdministratorNotFound(NotFound):
    code = "ADMINISTRATOR_NOT_FOUND"
    en = "Administrator not found"
    zh = "管理员不存在"


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


# --- login and sessions (PRODUCT §6) -----------------------------------------------------------


class LoginInvalid(AuthenticationFailed):
    code = "LOGIN_INVALID"
    en = "Invalid user name or password"
    zh = "用户名或密码错误"


class LoginEnterpriseUnknown(AuthenticationFailed):
    code = "LOGIN_ENTERPRISE_UNKNOWN"
    en = "Could not find the enterprise for this login; check the part after '@'"
    zh = "找不到该登录账号所属的企业，请检查“@”后的组织标识"


class LoginPhoneNotRegistered(AuthenticationFailed):
    code = "LOGIN_PHONE_NOT_REGISTERED"
    en = "This phone number is not registered"
    zh = "该手机号未注册"


class LoginAccountDisabled(AuthenticationFailed):
    code = "LOGIN_ACCOUNT_DISABLED"
    en = "This account has been disabled; contact your administrator"
    zh = "该账号已被停用，请联系管理员"


class LoginLocked(AuthenticationFailed):
    code = "LOGIN_LOCKED"
    smtp = (454, "4.7.0")
    en = "Too many failed attempts; try again in {minutes} minutes or ask your administrator to unlock"
    zh = "失败次数过多，请 {minutes} 分钟后再试，或联系管理员解锁"


def catalogue() -> dict[str, type[YunmailError]]:
    """Every concrete error class by code (codes are unique; a test holds that)."""
    found: dict[str, type[YunmailError]] = {}
    pending: list[type[YunmailError]] = [YunmailError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


# --- runtime, network edge and CLI ------------------------------------------------------------


class ListenFailed(Unavailable):
    code = "LISTEN_FAILED"
    en = "Cannot listen on {address}: {reason}"
    zh = "无法在 {address} 上监听：{reason}"


class ConfigExists(Conflict):
    code = "CONFIG_EXISTS"
    en = "{path} already exists; use --force to overwrite it"
    zh = "{path} 已存在；如需覆盖请使用 --force"


# --- directory (enterprises, members, mailboxes, groups) -----------------------------------------


class EnterpriseSettingInvalid(InvalidInput):
    code = "ENTERPRISE_SETTING_INVALID"
    en = "The enterprise setting '{key}' has an invalid value"
    zh = "企业设置项“{key}”的值无效"


class SeatsInvalid(InvalidInput):
    code = "SEATS_INVALID"
    en = "The number of seats must be a whole number of at least 0 (or unlimited)"
    zh = "席位数须为不小于 0 的整数（或不限）"


class CurrentPasswordWrong(InvalidInput):
    code = "CURRENT_PASSWORD_WRONG"
    en = "The current password is wrong"
    zh = "当前密码错误"


class SharedMailboxNameInvalid(InvalidInput):
    code = "SHARED_MAILBOX_NAME_INVALID"
    en = "The shared mailbox name must be 1-64 characters"
    zh = "公共邮箱名称长度须为 1-64 个字符"


class AliasNotFound(NotFound):
    code = "ALIAS_NOT_FOUND"
    en = "Alias not found"
    zh = "别名不存在"


class MailboxAddressImmutable(Conflict):
    code = "MAILBOX_ADDRESS_IMMUTABLE"
    en = "A mailbox address cannot be changed; close the mailbox and open a new one (back up the mail first)"
    zh = "邮箱地址不可修改，如需修改请关闭该邮箱后重新开通（请先备份邮件）"


class QuotaInvalid(InvalidInput):
    code = "QUOTA_INVALID"
    en = "The mailbox quota must be a whole number of bytes of at least 0 (or unlimited)"
    zh = "邮箱容量须为不小于 0 的整数字节数（或不限）"


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


# --- auth: logins, client passwords, sessions, codes (PRODUCT §6) ---------------------------------


class ClientPasswordRequired(AuthenticationFailed):
    code = "CLIENT_PASSWORD_REQUIRED"
    en = (
        "Your enterprise requires a client-specific password for mail programs; "
        "create one in webmail settings and use it instead of your login password"
    )
    zh = "贵企业要求邮件客户端使用客户端专用密码，请在网页邮箱设置中生成后代替登录密码使用"


class PasswordChangeRequired(AuthenticationFailed):
    code = "PASSWORD_CHANGE_REQUIRED"
    en = "Your administrator set this password; log in to webmail and change it first"
    zh = "该密码由管理员设置，请先登录网页邮箱修改密码"


class LoginOrgRequired(AuthenticationFailed):
    code = "LOGIN_ORG_REQUIRED"
    en = "This phone number is registered in several enterprises; enter your organisation identifier"
    zh = "该手机号已在多个企业注册，请输入组织标识"


class PhoneNotSmsCapable(InvalidInput):
    code = "PHONE_NOT_SMS_CAPABLE"
    en = "Verification codes can only be sent to mainland-China mobile numbers"
    zh = "验证码仅支持发送至中国大陆手机号"


class ClientPasswordNotFound(NotFound):
    code = "CLIENT_PASSWORD_NOT_FOUND"
    en = "Client password not found"
    zh = "客户端专用密码不存在"


class ClientPasswordLabelInvalid(InvalidInput):
    code = "CLIENT_PASSWORD_LABEL_INVALID"
    en = "The client password name must be 1-64 characters"
    zh = "客户端专用密码名称长度须为 1-64 个字符"


class ClientPasswordLimitReached(Conflict):
    code = "CLIENT_PASSWORD_LIMIT_REACHED"
    en = "You already have {limit} client passwords; revoke one you no longer use first"
    zh = "您已有 {limit} 个客户端专用密码，请先撤销不再使用的密码"


class SessionInvalid(AuthenticationFailed):
    code = "SESSION_INVALID"
    en = "You are not logged in (or you logged out); please log in"
    zh = "您尚未登录或已退出，请重新登录"


class SessionExpired(AuthenticationFailed):
    code = "SESSION_EXPIRED"
    en = "Your session ended after {minutes} minutes without activity; please log in again"
    zh = "您已 {minutes} 分钟未操作，会话已过期，请重新登录"


class SessionKeepInvalid(InvalidInput):
    code = "SESSION_KEEP_INVALID"
    en = "The session keep-alive must be between {low} and {high} minutes"
    zh = "会话保持时间须在 {low} 到 {high} 分钟之间"


class CodeInvalid(AuthenticationFailed):
    code = "CODE_INVALID"
    en = "The verification code is wrong"
    zh = "验证码错误"


class CodeExpired(Gone):
    code = "CODE_EXPIRED"
    en = "The verification code has expired or was already used; request a new one"
    zh = "验证码已过期或已使用，请重新获取"


class CodeAttemptsExhausted(Gone):
    code = "CODE_ATTEMPTS_EXHAUSTED"
    en = "Too many wrong codes; request a new verification code"
    zh = "验证码错误次数过多，请重新获取验证码"


class CodeResendTooSoon(LimitExceeded):
    code = "CODE_RESEND_TOO_SOON"
    en = "A code was sent moments ago; wait {seconds} seconds before requesting another"
    zh = "验证码刚刚已发送，请 {seconds} 秒后再重新获取"


class CodeRequestLimit(LimitExceeded):
    code = "CODE_REQUEST_LIMIT"
    en = "Too many codes were requested for this number or address; try again in an hour"
    zh = "该号码或邮箱获取验证码次数过多，请一小时后再试"


class ResetChannelUnavailable(InvalidInput):
    code = "RESET_CHANNEL_UNAVAILABLE"
    en = (
        "This account has no registered contact of that kind (mobile number or e-mail); "
        "choose the other way or ask your administrator"
    )
    zh = "该账号未登记此类联系方式（手机号或邮箱），请选择其他方式或联系管理员"


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


# --- directory: administrators, invitations, batch import (PRODUCT §2, §3) ----------------------


class AdministratorNameInvalid(InvalidInput):
    code = "ADMINISTRATOR_NAME_INVALID"
    en = "The administrator name must be 1-64 characters"
    zh = "管理员姓名长度须为 1-64 个字符"


class AdministratorLoginInvalid(InvalidInput):
    code = "ADMINISTRATOR_LOGIN_INVALID"
    en = "The administrator login must be 3-254 characters of letters, digits, '_', '.', '-', '+' or '@'"
    zh = "管理员登录名须为 3-254 位字母、数字、“_”、“.”、“-”、“+”或“@”"


class AdministratorLoginTaken(Conflict):
    code = "ADMINISTRATOR_LOGIN_TAKEN"
    en = "The administrator login '{login}' is already in use; choose another one"
    zh = "管理员登录名“{login}”已被使用，请另选一个"


class LastAdministrator(Conflict):
    code = "LAST_ADMINISTRATOR"
    en = "This is the enterprise's last active administrator; add or enable another administrator first"
    zh = "这是企业唯一的有效管理员，请先添加或启用其他管理员"


class InvitationEmailRequired(InvalidInput):
    code = "INVITATION_EMAIL_REQUIRED"
    en = "An invitation needs the invitee's e-mail address (it becomes the administrator's login)"
    zh = "邀请须填写被邀请人的邮箱（将作为管理员登录名）"


class InvitationValidityInvalid(InvalidInput):
    code = "INVITATION_VALIDITY_INVALID"
    en = "The invitation validity must be {minimum}-{maximum} days"
    zh = "邀请有效期须为 {minimum}-{maximum} 天"


class InvitationRevoked(Gone):
    code = "INVITATION_REVOKED"
    en = "The invitation has been withdrawn; ask an administrator to invite you again"
    zh = "该邀请已被撤销，请联系管理员重新邀请"


class ImportFileInvalid(InvalidInput):
    code = "IMPORT_FILE_INVALID"
    en = "'{filename}' is not an Excel workbook (.xlsx or .xls) that can be read; use the template"
    zh = "“{filename}”不是可读取的 Excel 工作簿（.xlsx 或 .xls），请使用模板"


class ImportFileTooLarge(TooLarge):
    code = "IMPORT_FILE_TOO_LARGE"
    en = "The import file is larger than the limit of {limit} bytes; split it into several files"
    zh = "导入文件超过 {limit} 字节的限制，请拆分为多个文件"


class ImportFileEmpty(InvalidInput):
    code = "IMPORT_FILE_EMPTY"
    en = "The import file has no member rows below the header row"
    zh = "导入文件的表头下没有成员数据"


class ImportTooManyRows(TooLarge):
    code = "IMPORT_TOO_MANY_ROWS"
    en = "The import file has more than {limit} member rows; split it into several files"
    zh = "导入文件超过 {limit} 行成员数据，请拆分为多个文件"


class ImportHeaderInvalid(InvalidInput):
    code = "IMPORT_HEADER_INVALID"
    en = "The header row does not match the template (missing: {missing}; not recognised: {unknown})"
    zh = "表头与模板不一致（缺少：{missing}；无法识别：{unknown}）"


class ImportPhoneRepeated(InvalidInput):
    code = "IMPORT_PHONE_REPEATED"
    en = "The phone number is also used on row {row} of the file"
    zh = "该手机号与文件第 {row} 行重复"


class ImportMailboxRepeated(InvalidInput):
    code = "IMPORT_MAILBOX_REPEATED"
    en = "The mailbox address {address} is also requested on row {row} of the file"
    zh = "邮箱地址 {address} 与文件第 {row} 行重复"


class MailboxDomainUnknown(InvalidInput):
    code = "MAILBOX_DOMAIN_UNKNOWN"
    en = "{domain} is not a domain of this enterprise; add the domain first"
    zh = "{domain} 不是本企业的域名，请先添加该域名"


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
