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
