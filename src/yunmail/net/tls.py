"""TLS for every listener: the server context (built from ``Settings.tls``, reloadable) and certificates.

One ``ServerTls`` object holds the live server context. Listeners read ``ServerTls.context`` for each
new connection, so ``reload()`` (on SIGHUP, or after a certificate renewal) takes effect for the
next handshake without restarting anything; connections already open keep their session.

Also here: ``generate_self_signed`` (what ``yunmail init`` writes so a fresh install speaks TLS at
once) and ``client_context`` for tests and tools that talk to such a server.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from yunmail.config import Settings
from yunmail.errors import ConfigInvalid

# TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 suites are all fine and set separately
# by OpenSSL). Mail clients from the last decade all speak one of these.
TLS12_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20"

# Browsers cap certificate lifetimes near 398 days; mail clients do not care, but stay under it.
SELF_SIGNED_DAYS = 397


def build_server_context(
    cert_file: str | os.PathLike[str], key_file: str | os.PathLike[str]
) -> ssl.SSLContext:
    """A server ``SSLContext``: TLS 1.2+, AEAD ciphers, no compression, no renegotiation."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(TLS12_CIPHERS)
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_RENEGOTIATION
    # No TLS 1.3 session tickets: they are sent unasked right after the handshake, and after
    # STARTTLS (where the client speaks first) they wake a threaded client's reader, which then
    # blocks in SSL_read while its writer calls SSL_write on the same connection; imaplib2
    # (offlineimap) loses its next command that way and hangs. Resumption is not worth it here.
    context.num_tickets = 0
    try:
        context.load_cert_chain(os.fspath(cert_file), os.fspath(key_file))
    except FileNotFoundError as exc:
        raise ConfigInvalid(detail=f"TLS file not found: {exc.filename}") from exc
    except (ssl.SSLError, ValueError) as exc:
        raise ConfigInvalid(
            detail=f"cannot load TLS certificate {cert_file} / key {key_file}: {exc}"
        ) from exc
    return context


class ServerTls:
    """The live server context; ``reload()`` swaps in a new one only if the new files load."""

    def __init__(self, cert_file: str | os.PathLike[str], key_file: str | os.PathLike[str]) -> None:
        self.cert_file = Path(cert_file)
        self.key_file = Path(key_file)
        self._context = build_server_context(self.cert_file, self.key_file)

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerTls:
        return cls(settings.tls.cert_file, settings.tls.key_file)

    @property
    def context(self) -> ssl.SSLContext:
        return self._context

    def reload(self) -> None:
        """Re-read certificate and key; on failure the old context stays and the error propagates."""
        self._context = build_server_context(self.cert_file, self.key_file)


def client_context(cafile: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """A verifying client context; ``cafile`` trusts a self-signed server certificate (tests, tools)."""
    context = ssl.create_default_context(cafile=os.fspath(cafile) if cafile is not None else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def generate_self_signed(
    hostname: str,
    cert_file: str | os.PathLike[str],
    key_file: str | os.PathLike[str],
    *,
    now: dt.datetime,
    days: int = SELF_SIGNED_DAYS,
) -> None:
    """Write a self-signed EC P-256 certificate for ``hostname``, localhost and loopback IPs.

    The key file is created with mode 0600 before any key byte is written, so the key is never
    readable by others, not even briefly.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    alt_names: list[x509.GeneralName] = [x509.DNSName(hostname)]
    if hostname != "localhost":
        alt_names.append(x509.DNSName("localhost"))
    alt_names += [
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        # A little slack backwards so a client whose clock runs slow still accepts it.
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(Path(key_file), key_bytes)
    cert_path = Path(cert_file)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Replace rather than truncate: an existing file may carry looser permissions.
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
