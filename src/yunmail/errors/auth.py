"""Errors of logins, lockout, client passwords, sessions and codes."""

from __future__ import annotations

from yunmail.errors.base import (
    AuthenticationFailed,
    Conflict,
    Gone,
    InvalidInput,
    LimitExceeded,
    NotFound,
)

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


# --- API tokens, second factor (TOTP), operators (PRODUCT §1, §6) -------------------------------


class ApiTokenInvalid(AuthenticationFailed):
    code = "API_TOKEN_INVALID"
    en = "The API token is invalid or has been revoked"
    zh = "API 令牌无效或已被撤销"


class ApiTokenNotFound(NotFound):
    code = "API_TOKEN_NOT_FOUND"
    en = "API token not found"
    zh = "API 令牌不存在"


class ApiTokenLabelInvalid(InvalidInput):
    code = "API_TOKEN_LABEL_INVALID"
    en = "The API token name must be 1-64 characters"
    zh = "API 令牌名称长度须为 1-64 个字符"


class ApiTokenLimitReached(Conflict):
    code = "API_TOKEN_LIMIT_REACHED"
    en = "You already have {limit} API tokens; revoke one you no longer use first"
    zh = "您已有 {limit} 个 API 令牌，请先撤销不再使用的令牌"


class TotpRequired(AuthenticationFailed):
    code = "TOTP_REQUIRED"
    en = "Enter the 6-digit code from your authenticator app"
    zh = "请输入身份验证器应用中的 6 位动态码"


class TotpInvalid(AuthenticationFailed):
    code = "TOTP_INVALID"
    en = "The authenticator code is wrong or has already been used; wait for the next one"
    zh = "动态码错误或已使用，请等待下一个动态码"


class TotpAlreadyEnabled(Conflict):
    code = "TOTP_ALREADY_ENABLED"
    en = "Two-step verification is already on; turn it off first to set up another app"
    zh = "两步验证已开启，如需更换身份验证器，请先关闭"


class TotpNotEnabled(Conflict):
    code = "TOTP_NOT_ENABLED"
    en = "Two-step verification is not on"
    zh = "尚未开启两步验证"


class OperatorLoginInvalid(InvalidInput):
    code = "OPERATOR_LOGIN_INVALID"
    en = "An operator login is 3-254 letters, digits and _ . - + @"
    zh = "运营人员登录名须为 3-254 个字母、数字或 _ . - + @"


class OperatorLoginTaken(Conflict):
    code = "OPERATOR_LOGIN_TAKEN"
    en = "The operator login {login} is already used"
    zh = "运营人员登录名 {login} 已被使用"


class OperatorNotFound(NotFound):
    code = "OPERATOR_NOT_FOUND"
    en = "Operator not found"
    zh = "运营人员不存在"
