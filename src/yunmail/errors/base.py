"""The root of the error tree, its HTTP-status families, and configuration/runtime errors."""

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


# --- runtime, network edge and CLI ------------------------------------------------------------


class ListenFailed(Unavailable):
    code = "LISTEN_FAILED"
    en = "Cannot listen on {address}: {reason}"
    zh = "无法在 {address} 上监听：{reason}"


class ConfigExists(Conflict):
    code = "CONFIG_EXISTS"
    en = "{path} already exists; use --force to overwrite it"
    zh = "{path} 已存在；如需覆盖请使用 --force"
