"""The HTTP front door (FastAPI/Starlette): REST API, admin console, operator console, webmail.

Layout: ``app`` (factory, host routing, security headers), ``deps`` (principal, CSRF, services),
``errors`` (catalogue → JSON/page), ``i18n`` and ``templating`` (pages in Chinese and English),
``server`` (uvicorn protocol on ``net.Listeners``), and one package per portal: ``api``, ``admin``,
``operator``, ``webmail``; ``wellknown`` answers autoconfig/autodiscover/MTA-STS. No SQL here: every
route calls services.
"""

from yunmail.web.app import create_app
from yunmail.web.server import HttpServer

__all__ = ["HttpServer", "create_app"]
