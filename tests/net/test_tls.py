"""TLS: self-signed certificates from ``init``, the server context and its reload, implicit-TLS listeners."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography import x509

from yunmail.config import load_settings
from yunmail.errors import ConfigInvalid
from yunmail.net import Listeners, ListenerSpec, ServerTls, client_context, generate_self_signed


@pytest.fixture
def cert_files(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "tls" / "cert.pem", tmp_path / "tls" / "key.pem"
    generate_self_signed("mail.example.test", cert, key, now=_now())
    return cert, key


@pytest.fixture
async def listeners() -> AsyncIterator[Listeners]:
    edge = Listeners()
    try:
        yield edge
    finally:
        await edge.drain(grace_seconds=0)


async def _greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"* OK ready\r\n")
    await writer.drain()


def test_self_signed_certificate_names_the_host_localhost_and_loopback(cert_files: tuple[Path, Path]) -> None:
    certificate = x509.load_pem_x509_certificate(cert_files[0].read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

    assert names.get_values_for_type(x509.DNSName) == ["mail.example.test", "localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]


def test_self_signed_certificate_validity_starts_from_the_given_time(tmp_path: Path) -> None:
    now = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    generate_self_signed("mail.example.test", tmp_path / "c.pem", tmp_path / "k.pem", now=now, days=30)
    certificate = x509.load_pem_x509_certificate((tmp_path / "c.pem").read_bytes())

    assert certificate.not_valid_before_utc == now - dt.timedelta(hours=1)
    assert certificate.not_valid_after_utc == now + dt.timedelta(days=30)


def test_private_key_file_is_readable_by_the_owner_only(cert_files: tuple[Path, Path]) -> None:
    assert stat.S_IMODE(cert_files[1].stat().st_mode) == 0o600


def test_server_context_refuses_tls_before_1_2(cert_files: tuple[Path, Path]) -> None:
    tls = ServerTls(*cert_files)

    assert tls.context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_server_tls_from_settings_uses_the_configured_files(tmp_path: Path) -> None:
    generate_self_signed("mx.test", tmp_path / "tls" / "cert.pem", tmp_path / "tls" / "key.pem", now=_now())
    settings = load_settings(overrides={"data_dir": str(tmp_path)}, env={})

    tls = ServerTls.from_settings(settings)

    assert (tls.cert_file, tls.key_file) == (tmp_path / "tls" / "cert.pem", tmp_path / "tls" / "key.pem")


def test_missing_certificate_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        ServerTls(tmp_path / "missing.pem", tmp_path / "missing.key")

    assert caught.value.code == "CONFIG_INVALID"


async def test_implicit_tls_listener_speaks_tls_to_a_verifying_client(
    cert_files: tuple[Path, Path], listeners: Listeners
) -> None:
    tls = ServerTls(*cert_files)
    (address,) = await listeners.add(ListenerSpec("imaps", ("127.0.0.1:0",), handler=_greet, tls=tls))

    reader, writer = await asyncio.open_connection(
        address.host, address.port, ssl=client_context(cert_files[0]), server_hostname="mail.example.test"
    )
    greeting = await reader.readline()
    version = writer.get_extra_info("ssl_object").version()
    writer.close()

    assert greeting == b"* OK ready\r\n"
    assert version in ("TLSv1.2", "TLSv1.3")


async def test_failed_tls_handshake_does_not_count_as_a_handler_error(
    cert_files: tuple[Path, Path], listeners: Listeners
) -> None:
    tls = ServerTls(*cert_files)
    (address,) = await listeners.add(ListenerSpec("imaps", ("127.0.0.1:0",), handler=_greet, tls=tls))

    reader, writer = await asyncio.open_connection(address.host, address.port)
    writer.write(b"a001 CAPABILITY\r\n")  # plaintext on a TLS port
    await reader.read()
    writer.close()
    await listeners.wait_connections_done()

    assert listeners.unhandled_errors == 0
    assert listeners.caps.count() == 0


async def test_reload_serves_the_renewed_certificate_to_new_connections(
    cert_files: tuple[Path, Path], listeners: Listeners
) -> None:
    tls = ServerTls(*cert_files)
    (address,) = await listeners.add(ListenerSpec("imaps", ("127.0.0.1:0",), handler=_greet, tls=tls))
    before = await _peer_certificate(address.host, address.port)

    generate_self_signed("renewed.example.test", *cert_files, now=_now())
    tls.reload()
    after = await _peer_certificate(address.host, address.port)

    assert (_common_name(before), _common_name(after)) == ("mail.example.test", "renewed.example.test")


def test_reload_with_a_broken_key_keeps_the_old_context(cert_files: tuple[Path, Path]) -> None:
    tls = ServerTls(*cert_files)
    old = tls.context
    cert_files[1].write_text("not a key")

    with pytest.raises(ConfigInvalid):
        tls.reload()

    assert tls.context is old


async def _peer_certificate(host: str, port: int) -> x509.Certificate:
    insecure = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.open_connection(host, port, ssl=insecure)
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    await reader.readline()
    writer.close()
    return x509.load_der_x509_certificate(der)


def _common_name(certificate: x509.Certificate) -> str:
    return str(certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
