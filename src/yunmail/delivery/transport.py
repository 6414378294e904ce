"""Outbound SMTP client: finds a destination's mail hosts and hands messages over, one connection per batch.

Implementation notes:

* Routing (RFC 5321 §5.1): MX records in preference order; a domain that exists without MX falls
  back to its own A/AAAA ("implicit MX"); a null MX (RFC 7505) is an immediate permanent failure,
  and so is a domain that does not exist. DNS trouble (SERVFAIL, timeout) is temporary. Host
  addresses come from our `Resolver` too, never from the system resolver.
* Each address is tried in turn until one answers; the connection is then reused for every
  message of the batch (RSET after a refused transaction). If it drops mid-batch, the messages not
  yet handed over are deferred; they were never accepted, so nothing is sent twice.
* STARTTLS is opportunistic (RFC 3207 + RFC 7435): used when offered, without certificate checks;
  when the handshake fails we reconnect once in plaintext. Every result records whether TLS was used.
* Port is ``Settings.delivery.mx_port`` (25 in production; tests point it at a loopback sink).
"""

from __future__ import annotations

import contextlib
import enum
import ssl
from collections.abc import Sequence
from dataclasses import dataclass

import aiosmtplib

from yunmail import logging
from yunmail.config import Settings
from yunmail.delivery.bounces import BounceCause, LocalFailure, classify, classify_local
from yunmail.dns import LookupStatus, Resolver, is_null_mx, to_ascii_name
from yunmail.errors import DnsLookupFailed, DnsNameInvalid

_log = logging.get("delivery.transport")


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    DEFERRED = "deferred"  # try again later
    FAILED = "failed"  # permanent: bounce


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message for one recipient, as the worker hands it to the transport."""

    sender: str  # reverse-path; "" for the null sender
    recipient: str
    data: bytes
    smtputf8: bool = False
    body_8bit: bool = False


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What happened to one envelope. ``reply`` is the remote's exact reply (or our own words)."""

    outcome: Outcome
    reply: str
    cause: BounceCause | None = None  # set for DEFERRED and FAILED
    remote_host: str | None = None
    remote_address: str | None = None
    tls: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    """Where a domain's mail goes: hosts in preference order, or why there is nowhere to go."""

    hosts: tuple[str, ...] = ()
    failure: BounceCause | None = None


@dataclass(frozen=True, slots=True)
class TransportSettings:
    port: int = 25
    connect_timeout: float = 30.0
    command_timeout: float = 300.0  # RFC 5321 §4.5.3.2 suggests minutes per command
    max_addresses: int = 10  # addresses tried per batch before deferring


class SmtpTransport:
    """Delivers batches of envelopes for one destination domain."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        hostname: str,
        settings: TransportSettings | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._resolver = resolver
        self._hostname = hostname
        self._settings = settings or TransportSettings()
        self._tls = tls_context or _opportunistic_context()

    @classmethod
    def from_settings(cls, settings: Settings, resolver: Resolver) -> SmtpTransport:
        return cls(
            resolver, hostname=settings.hostname, settings=TransportSettings(port=settings.delivery.mx_port)
        )

    async def route(self, domain: str) -> Route:
        """The mail hosts of ``domain`` in preference order (RFC 5321 §5.1, RFC 7505)."""
        try:
            name = to_ascii_name(domain)
            answer = await self._resolver.mx(name)
        except DnsNameInvalid:
            return Route(failure=classify_local(LocalFailure.DNS_NXDOMAIN, f"invalid domain {domain!r}"))
        except DnsLookupFailed as exc:
            return Route(
                failure=classify_local(LocalFailure.DNS_TEMPORARY, f"MX lookup for {domain}: {exc.code}")
            )
        if answer.status is LookupStatus.NXDOMAIN:
            return Route(failure=classify_local(LocalFailure.DNS_NXDOMAIN, f"{domain}: no such domain"))
        if is_null_mx(answer):
            return Route(failure=classify_local(LocalFailure.NULL_MX, f"{domain} publishes a null MX"))
        if not answer.records:
            return Route(hosts=(name,))  # implicit MX: the domain's own address records
        # A null target among real MXes is nonsense; skip it rather than dial the root.
        hosts = tuple(dict.fromkeys(mx.host for mx in sorted(answer.records) if mx.host != "."))
        return Route(hosts=hosts)

    async def deliver(self, domain: str, envelopes: Sequence[Envelope]) -> list[AttemptResult]:
        """Hand every envelope to ``domain``'s mail hosts over one connection; a result per envelope."""
        if not envelopes:
            return []
        route = await self.route(domain)
        if route.failure is not None:
            return [_local_result(route.failure) for _ in envelopes]
        addresses, dns_failure = await self._addresses(route.hosts)
        if not addresses:
            failure = dns_failure or classify_local(
                LocalFailure.DNS_NO_MAIL_HOST, f"no address for the mail hosts of {domain}"
            )
            return [_local_result(failure) for _ in envelopes]
        last_failure = classify_local(LocalFailure.CONNECTION_REFUSED, f"no mail host of {domain} answered")
        for host, address in addresses[: self._settings.max_addresses]:
            session = await self._open(host, address)
            if isinstance(session, BounceCause):
                # RFC 5321 §5.1: try the next address; even a 554 greeting says "not here", not "never".
                last_failure = session
                continue
            return await session.send_all(envelopes)
        return [_local_result(last_failure) for _ in envelopes]

    async def _addresses(self, hosts: Sequence[str]) -> tuple[list[tuple[str, str]], BounceCause | None]:
        found: list[tuple[str, str]] = []
        failure: BounceCause | None = None
        for host in hosts:
            for lookup in (self._resolver.a, self._resolver.aaaa):
                try:
                    answer = await lookup(host)
                except (DnsLookupFailed, DnsNameInvalid) as exc:
                    failure = classify_local(LocalFailure.DNS_TEMPORARY, f"address lookup for {host}: {exc}")
                    continue
                found.extend((host, str(ip)) for ip in answer.records)
        return found, failure

    async def _open(self, host: str, address: str) -> _Session | BounceCause:
        """Connect, EHLO and (opportunistically) STARTTLS; a failure's cause when that fails."""
        result = await self._connect(host, address, try_tls=True)
        if isinstance(result, _TlsFailed):
            _log.info("STARTTLS failed, retrying in plaintext", extra={"fields": {"host": host}})
            plain = await self._connect(host, address, try_tls=False)
            return plain.cause if isinstance(plain, _TlsFailed) else plain
        return result

    async def _connect(
        self, host: str, address: str, *, try_tls: bool
    ) -> _Session | BounceCause | _TlsFailed:
        s = self._settings
        client = aiosmtplib.SMTP(
            hostname=address,
            port=s.port,
            local_hostname=self._hostname,
            timeout=s.command_timeout,
            start_tls=False,
            use_tls=False,
        )
        try:
            await client.connect(timeout=s.connect_timeout)
            await client.ehlo()
        except aiosmtplib.SMTPResponseException as exc:
            client.close()
            return classify(exc.code, None, f"{exc.code} {exc.message}")
        except aiosmtplib.SMTPTimeoutError as exc:
            client.close()
            return classify_local(LocalFailure.CONNECTION_TIMEOUT, f"{host} [{address}]: {exc}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            return classify_local(LocalFailure.CONNECTION_REFUSED, f"{host} [{address}]: {exc}")
        tls = False
        if try_tls and client.supports_extension("starttls"):
            try:
                await client.starttls(server_hostname=host, tls_context=self._tls)
                tls = True
            except (aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
                client.close()
                return _TlsFailed(classify_local(LocalFailure.TLS_FAILURE, f"{host} [{address}]: {exc}"))
        return _Session(client, host, address, tls)


@dataclass(frozen=True, slots=True)
class _TlsFailed:
    cause: BounceCause


class _Session:
    """One open SMTP connection to a remote host, reused for a batch."""

    def __init__(self, client: aiosmtplib.SMTP, host: str, address: str, tls: bool) -> None:
        self._client = client
        self._host = host
        self._address = address
        self._tls = tls

    async def send_all(self, envelopes: Sequence[Envelope]) -> list[AttemptResult]:
        results: list[AttemptResult] = []
        try:
            for index, envelope in enumerate(envelopes):
                result, alive = await self._send(envelope)
                results.append(result)
                if not alive:
                    lost = classify_local(LocalFailure.CONNECTION_LOST, f"{self._host} closed the connection")
                    results.extend(self._result(lost) for _ in envelopes[index + 1 :])
                    return results
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self._client.quit()  # everything was already handed over; QUIT is a courtesy
            return results
        finally:
            self._client.close()

    async def _send(self, envelope: Envelope) -> tuple[AttemptResult, bool]:
        """Result of one transaction, and whether the connection is still usable."""
        client = self._client
        options: list[str] = []
        if envelope.body_8bit and client.supports_extension("8bitmime"):
            options.append("BODY=8BITMIME")
        encoding = "ascii"
        if envelope.smtputf8:
            if not client.supports_extension("smtputf8"):
                # RFC 6531 §3.4: without SMTPUTF8 at the server this message cannot go; 5.6.7.
                cause = classify(553, "5.6.7", "553 5.6.7 the receiving server does not support SMTPUTF8")
                return self._result(cause, "553 5.6.7 remote server lacks SMTPUTF8"), True
            options.append("SMTPUTF8")
            encoding = "utf-8"
        try:
            await client.mail(envelope.sender, options=options, encoding=encoding)
            await client.rcpt(envelope.recipient, encoding=encoding)
            reply = await client.data(envelope.data)
        except aiosmtplib.SMTPResponseException as exc:
            text = f"{exc.code} {exc.message}"
            cause = classify(exc.code, None, text)
            alive = exc.code != 421  # RFC 5321 §3.8: 421 means the server is closing
            if alive:
                alive = await self._reset()
            return self._result(cause, text), alive
        except aiosmtplib.SMTPTimeoutError as exc:
            cause = classify_local(LocalFailure.CONNECTION_TIMEOUT, f"{self._host}: {exc}")
            return self._result(cause), False
        except (aiosmtplib.SMTPException, OSError) as exc:
            cause = classify_local(LocalFailure.CONNECTION_LOST, f"{self._host}: {exc}")
            return self._result(cause), False
        delivered = AttemptResult(
            Outcome.DELIVERED, f"{reply.code} {reply.message}", None, self._host, self._address, self._tls
        )
        return delivered, True

    async def _reset(self) -> bool:
        try:
            await self._client.rset()
        except (aiosmtplib.SMTPException, OSError):
            return False
        return True

    def _result(self, cause: BounceCause, reply: str | None = None) -> AttemptResult:
        outcome = Outcome.FAILED if cause.permanent else Outcome.DEFERRED
        return AttemptResult(outcome, reply or cause.text, cause, self._host, self._address, self._tls)


def _local_result(cause: BounceCause) -> AttemptResult:
    return AttemptResult(Outcome.FAILED if cause.permanent else Outcome.DEFERRED, cause.text, cause)


def _opportunistic_context() -> ssl.SSLContext:
    # RFC 7435: encrypt when we can, authenticate nothing (no MTA-STS/DANE yet).
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
