"""Errors of the web front door itself: forms, CSRF, portals."""

from __future__ import annotations

from yunmail.errors.base import Forbidden, InvalidInput


class CsrfRejected(Forbidden):
    code = "CSRF_TOKEN_INVALID"
    en = "The form has expired or did not come from this site; reload the page and try again"
    zh = "表单已过期或并非来自本站，请刷新页面后重试"


class PortalForbidden(Forbidden):
    code = "PORTAL_FORBIDDEN"
    en = "This account cannot use this part of the site"
    zh = "此账号无权使用该功能区"


class PasswordMismatch(InvalidInput):
    code = "PASSWORD_MISMATCH"
    en = "The two new passwords are not the same"
    zh = "两次输入的新密码不一致"
