"""Documents mail clients and sending servers fetch from customer hosts: autoconfig, autodiscover, MTA-STS.

* Thunderbird autoconfig (``clientConfig`` 1.1) at ``/mail/config-v1.1.xml`` and
  ``/.well-known/autoconfig/mail/config-v1.1.xml``, on ``autoconfig.<domain>`` or on the platform
  host with ``?emailaddress=``;
* Outlook autodiscover (the POX "outlook" schemas of MS-OXDSCLI) at ``/autodiscover/autodiscover.xml``;
* the MTA-STS policy (RFC 8461 §3.2) at ``/.well-known/mta-sts.txt`` on ``mta-sts.<domain>``.

Every document names only verified (hosted) domains: anything else is 404 (autodiscover answers
with its schema's error instead). Server names come from ``settings.hostname``; ports are the ones
the listeners are configured with, so a development install on 127.0.0.1:2993 advertises 2993 (a
port 0 listener, bound to a random port, advertises the protocol's standard port).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from starlette.responses import Response

from yunmail.config import Settings, parse_host_port
from yunmail.domains import VERIFIED, Domain
from yunmail.errors import NotFound
from yunmail.web.deps import services_of

AUTOCONFIG_PATHS = ("/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml")
AUTODISCOVER_PATHS = ("/autodiscover/autodiscover.xml",)
MTA_STS_PATH = "/.well-known/mta-sts.txt"

# Outlook spells the path in several cases; routes are case-sensitive, so list the usual ones.
_AUTODISCOVER_SPELLINGS = (
    "/autodiscover/autodiscover.xml",
    "/Autodiscover/Autodiscover.xml",
    "/AutoDiscover/AutoDiscover.xml",
)
_AUTODISCOVER_MAX_BYTES = 16 * 1024
_RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
_OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
_XML = "application/xml; charset=utf-8"
MTA_STS_MAX_AGE = 604800  # one week, in seconds


def is_autoconfig_path(path: str) -> bool:
    return path in AUTOCONFIG_PATHS or path.lower() in AUTODISCOVER_PATHS


def is_mta_sts_path(path: str) -> bool:
    return path == MTA_STS_PATH


# --- what we offer mail clients ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientService:
    """One way in for a mail client: protocol, transport security and public port."""

    protocol: str  # imap | pop3 | smtp
    socket: str  # SSL (implicit TLS) | STARTTLS
    port: int


# (listener, protocol, socket type, standard port); implicit TLS first: clients take the first.
_LISTENERS = (
    ("imaps", "imap", "SSL", 993),
    ("imap", "imap", "STARTTLS", 143),
    ("pop3s", "pop3", "SSL", 995),
    ("pop3", "pop3", "STARTTLS", 110),
    ("smtps", "smtp", "SSL", 465),
    ("submission", "smtp", "STARTTLS", 587),
)


def client_services(settings: Settings) -> tuple[ClientService, ...]:
    """The configured client listeners with the port to advertise; unconfigured ones are left out."""
    found: list[ClientService] = []
    for listener, protocol, socket, standard in _LISTENERS:
        addresses = getattr(settings.listen, listener)
        if addresses:
            found.append(ClientService(protocol, socket, _public_port(addresses, standard)))
    return tuple(found)


def _public_port(addresses: tuple[str, ...], standard: int) -> int:
    parsed = [parse_host_port(a) for a in addresses]
    # A listener on a public address is what clients reach; loopback ones are development installs.
    public = [port for host, port in parsed if not _is_loopback(host)]
    port = (public or [port for _, port in parsed])[0]
    return port or standard


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


# --- Thunderbird autoconfig --------------------------------------------------------------------------


def autoconfig_xml(domain: Domain, hostname: str, services: tuple[ClientService, ...]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<clientConfig version="1.1">',
        f'  <emailProvider id="{escape(domain.name)}">',
        f"    <domain>{escape(domain.name)}</domain>",
        f"    <displayName>{escape(domain.display_name)}</displayName>",
        f"    <displayShortName>{escape(domain.display_name)}</displayShortName>",
    ]
    for service in services:
        element = "outgoingServer" if service.protocol == "smtp" else "incomingServer"
        lines += [
            f'    <{element} type="{service.protocol}">',
            f"      <hostname>{escape(hostname)}</hostname>",
            f"      <port>{service.port}</port>",
            f"      <socketType>{service.socket}</socketType>",
            "      <authentication>password-cleartext</authentication>",
            "      <username>%EMAILADDRESS%</username>",
            f"    </{element}>",
        ]
    lines += ["  </emailProvider>", "</clientConfig>", ""]
    return "\n".join(lines)


async def _autoconfig_domain(request: Request) -> Domain:
    """The customer host's domain, else (platform host) the domain of ``?emailaddress=``."""
    scope = request.state.host_scope
    name = scope.domain
    if name is None:
        address = request.query_params.get("emailaddress", "")
        local, at, name = address.strip().rpartition("@")
        if not (local and at and name):
            raise NotFound()
    domain = await services_of(request).domains.hosted(name)
    if domain is None:
        raise NotFound()
    return domain


async def autoconfig(request: Request) -> Response:
    domain = await _autoconfig_domain(request)
    settings = services_of(request).settings
    body = autoconfig_xml(domain, settings.hostname, client_services(settings))
    return Response(body, media_type=_XML)


# --- Outlook autodiscover ----------------------------------------------------------------------------


class UnsafeXml(ValueError):
    """The request XML declares a DTD or entities (which could expand without bound): refused."""


def _refuse(*_: Any) -> Any:
    raise UnsafeXml("DTDs and entities are not accepted")


class _AddressReader:
    """Streams expat events: remembers the root element and the first ``EMailAddress`` text."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.address: str | None = None
        self._stack: list[str] = []
        self._text: list[str] = []

    def start(self, tag: str, _attributes: Any) -> None:
        name = _local(tag)
        if self.root is None:
            self.root = name
        self._stack.append(name)
        self._text.clear()

    def end(self, _tag: str) -> None:
        if self._stack.pop() == "EMailAddress" and self.address is None:
            self.address = "".join(self._text).strip()

    def characters(self, data: str) -> None:
        self._text.append(data)


def parse_request_address(body: bytes) -> str | None:
    """The ``EMailAddress`` of an Outlook autodiscover request; None when the XML is not one.

    Parsed with expat and no DTD at all: a DOCTYPE or entity declaration raises ``UnsafeXml``
    before anything is expanded (the defusedxml approach), so no entity bomb can grow.
    """
    reader = _AddressReader()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.characters
    try:
        parser.Parse(body, True)
    except expat.ExpatError:
        return None
    if reader.root != "Autodiscover":
        return None
    return reader.address or None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def autodiscover_xml(address: str, hostname: str, services: tuple[ClientService, ...]) -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<Autodiscover xmlns="{_RESPONSE_NS}">',
        f'  <Response xmlns="{_OUTLOOK_NS}">',
        "    <Account>",
        "      <AccountType>email</AccountType>",
        "      <Action>settings</Action>",
    ]
    for service in services:
        lines += [
            "      <Protocol>",
            f"        <Type>{service.protocol.upper()}</Type>",
            f"        <Server>{escape(hostname)}</Server>",
            f"        <Port>{service.port}</Port>",
            f"        <LoginName>{escape(address)}</LoginName>",
            "        <DomainRequired>off</DomainRequired>",
            "        <SPA>off</SPA>",
            f"        <SSL>{'on' if service.socket == 'SSL' else 'off'}</SSL>",
            f"        <Encryption>{'SSL' if service.socket == 'SSL' else 'TLS'}</Encryption>",
            "        <AuthRequired>on</AuthRequired>",
        ]
        if service.protocol == "smtp":
            lines += ["        <UsePOPAuth>off</UsePOPAuth>", "        <SMTPLast>off</SMTPLast>"]
        lines.append("      </Protocol>")
    lines += ["    </Account>", "  </Response>", "</Autodiscover>", ""]
    return "\n".join(lines)


def autodiscover_error(code: int, message: str) -> str:
    """MS-OXDSCLI §2.2.4.1.1.3: 500 address not found, 600 invalid request."""
    return "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<Autodiscover xmlns="{_RESPONSE_NS}">',
            f'  <Response xmlns="{_OUTLOOK_NS}">',
            '    <Error Time="00:00:00" Id="0">',
            f"      <ErrorCode>{code}</ErrorCode>",
            f"      <Message>{escape(message)}</Message>",
            "      <DebugData />",
            "    </Error>",
            "  </Response>",
            "</Autodiscover>",
            "",
        ]
    )


async def _request_body(request: Request) -> bytes | None:
    """The body up to the limit; None when it is larger (a request is a few hundred bytes)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > _AUTODISCOVER_MAX_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def autodiscover(request: Request) -> Response:
    if request.method == "GET":  # not Outlook's way, but handy for a person checking by hand
        address: str | None = request.query_params.get("emailaddress")
    else:
        body = await _request_body(request)
        try:
            address = parse_request_address(body) if body is not None else None
        except UnsafeXml:
            address = None
    if not address:
        return Response(autodiscover_error(600, "Invalid Request"), status_code=400, media_type=_XML)
    local, at, name = address.rpartition("@")
    scope_domain = request.state.host_scope.domain
    services = services_of(request)
    domain = await services.domains.hosted(name) if local and at and name else None
    if domain is None or (scope_domain is not None and domain.name != scope_domain):
        # The schema's answer for an address we cannot configure is a 200 with the error inside.
        return Response(autodiscover_error(500, "The e-mail address cannot be found."), media_type=_XML)
    login = f"{local}@{domain.name}"
    settings = services.settings
    return Response(autodiscover_xml(login, settings.hostname, client_services(settings)), media_type=_XML)


# --- MTA-STS -----------------------------------------------------------------------------------------


def mta_sts_policy(mode: str, mx_hosts: tuple[tuple[int, str], ...]) -> str:
    """RFC 8461 §3.2: ``key: value`` lines, each ending in CRLF."""
    lines = ["version: STSv1", f"mode: {mode}"]
    lines += [f"mx: {host.rstrip('.').lower()}" for _, host in sorted(mx_hosts)]
    lines.append(f"max_age: {MTA_STS_MAX_AGE}")
    return "".join(f"{line}\r\n" for line in lines)


async def mta_sts(request: Request) -> Response:
    scope = request.state.host_scope
    if scope.scope != "mta-sts" or scope.domain is None:
        raise NotFound()
    services = services_of(request)
    domain = await services.domains.hosted(scope.domain)
    if domain is None:
        raise NotFound()
    # Enforce only once our MX are the domain's verified MX; until then senders just report.
    mode = "enforce" if domain.mode == "full" and domain.state == VERIFIED else "testing"
    body = mta_sts_policy(mode, services.deployment.mx_hosts)
    return Response(body, media_type="text/plain; charset=utf-8", headers={"cache-control": "max-age=300"})


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    for path in AUTOCONFIG_PATHS:
        routes.add_api_route(path, autoconfig, methods=["GET", "HEAD"])
    for path in _AUTODISCOVER_SPELLINGS:
        routes.add_api_route(path, autodiscover, methods=["GET", "POST"])
    routes.add_api_route(MTA_STS_PATH, mta_sts, methods=["GET", "HEAD"])
    return routes
