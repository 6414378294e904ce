"""Errors of the tenant model: enterprises, departments, members, mailboxes, groups, admins, import."""

from __future__ import annotations

from yunmail.errors.base import (
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    TooLarge,
)

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


class EnterpriseSettingAboveCeiling(InvalidInput):
    code = "ENTERPRISE_SETTING_ABOVE_CEILING"
    en = "The enterprise setting '{key}' may be at most {ceiling} (the platform's limit)"
    zh = "企业设置项“{key}”不能超过 {ceiling}（平台上限）"


# --- personal contacts ---------------------------------------------------------------------------


class ContactInvalid(InvalidInput):
    code = "CONTACT_INVALID"
    en = "This contact cannot be saved: {detail}"
    zh = "联系人无法保存：{detail}"


class ContactNotFound(NotFound):
    code = "CONTACT_NOT_FOUND"
    en = "Contact not found"
    zh = "联系人不存在"


class ContactLimitReached(Conflict):
    code = "CONTACT_LIMIT_REACHED"
    en = "You already have {limit} contacts, the most one member may keep"
    zh = "联系人已达上限（{limit} 个）"


class DissolveConfirmationUndeliverable(Conflict):
    code = "DISSOLVE_CONFIRMATION_UNDELIVERABLE"
    en = (
        "Your administrator account has no e-mail address or mainland China mobile number to send the "
        "dissolve confirmation code to; ask another administrator or the platform operator"
    )
    zh = "您的管理员账号没有可接收解散确认码的邮箱或中国大陆手机号，请由其他管理员或平台运营方操作"
