"""DKIM (RFC 6376, Ed25519 per RFC 8463): keys, their DNS TXT value, signing, and verification via dkimpy.

Implementation notes:

* Keys are generated with ``cryptography`` and kept as unencrypted PKCS#8 PEM; sealing them at
  rest is ``domains.dkim_keys``' business.
* Signing is ours: relaxed/relaxed canonicalization here, the RSA/Ed25519 primitive from
  ``cryptography``. dkimpy's pure-Python RSA cost ~40 ms a message. Verification stays with
  dkimpy, so the tests' sign/verify round trips check our signer against an independent verifier.
* dkimpy is synchronous and looks keys up through a ``dnsfunc``. Verification therefore runs in
  three steps: list the signatures (thread), fetch every ``<s>._domainkey.<d>`` TXT with our async
  `Resolver` (loop), then verify in a thread with a ``dnsfunc`` that only reads the pre-fetched
  answers. No DNS happens in the thread, and dkimpy never uses its own resolver.
* Results follow RFC 8601 §2.7.1: ``pass``/``fail``; ``permerror`` for a missing, revoked or
  malformed key or a malformed signature; ``temperror`` when the key lookup failed transiently.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import enum
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import dkim
import dkim.util
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from yunmail.dns import LookupStatus, Resolver, to_ascii_name
from yunmail.errors import DkimKeyInvalid, DnsLookupFailed, DnsNameInvalid

__all__ = [
    "DEFAULT_SIGNED_HEADERS",
    "DkimAlgorithm",
    "DkimKey",
    "DkimKeyRecord",
    "DkimResult",
    "DkimVerification",
    "dns_txt_value",
    "generate_key",
    "load_key",
    "parse_key_record",
    "sign",
    "txt_strings",
    "verify",
]

# RFC 6376 §5.4.1 recommends these; From is required (§5.4). Listed once each.
DEFAULT_SIGNED_HEADERS: tuple[str, ...] = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "List-Unsubscribe",
)

_B64_CLEAN = re.compile(r"[ \t\r\n]")
_B64_STRICT = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
_BARE_LF = re.compile(rb"(?<!\r)\n")
_WSP_RUN = re.compile(rb"[ \t]+")
_TRAILING_WSP = re.compile(rb"[ \t]+\r\n")


class DkimAlgorithm(enum.StrEnum):
    RSA = "rsa"
    ED25519 = "ed25519"


class DkimResult(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEUTRAL = "neutral"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


@dataclass(frozen=True, slots=True)
class DkimKey:
    """A signing key: algorithm + unencrypted PKCS#8 PEM."""

    algorithm: DkimAlgorithm
    private_pem: bytes

    def public_key_b64(self) -> str:
        """The ``p=`` value: SubjectPublicKeyInfo for RSA (§3.6.1), raw 32 bytes for Ed25519 (RFC 8463 §4)."""
        private = _load_private(self.private_pem)
        if isinstance(private, ed25519.Ed25519PrivateKey):
            raw = private.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        else:
            raw = private.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        return base64.b64encode(raw).decode("ascii")

    def txt_value(self) -> str:
        return dns_txt_value(self.algorithm, self.public_key_b64())


def _load_private(pem: bytes) -> rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey:
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise DkimKeyInvalid(detail="not an unencrypted PEM private key") from exc
    if not isinstance(private, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise DkimKeyInvalid(detail="only RSA and Ed25519 keys are supported")
    return private


def generate_key(algorithm: DkimAlgorithm = DkimAlgorithm.RSA, bits: int = 2048) -> DkimKey:
    """A new key; RSA below 1024 bits is refused (RFC 8301 §3.2), 2048 is the default."""
    private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
    if algorithm is DkimAlgorithm.ED25519:
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        if bits < 1024:
            raise DkimKeyInvalid(detail="RSA keys need at least 1024 bits")
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DkimKey(algorithm, pem)


def load_key(private_pem: bytes) -> DkimKey:
    """Wrap a stored PEM (PKCS#8 or PKCS#1), checking that it parses."""
    private = _load_private(private_pem)
    if isinstance(private, rsa.RSAPrivateKey) and private.key_size < 1024:
        raise DkimKeyInvalid(detail="RSA keys need at least 1024 bits")
    algorithm = DkimAlgorithm.ED25519 if isinstance(private, ed25519.Ed25519PrivateKey) else DkimAlgorithm.RSA
    return DkimKey(algorithm, private_pem)


def dns_txt_value(algorithm: DkimAlgorithm | str, public_key_b64: str) -> str:
    """The key record (RFC 6376 §3.6.1): ``v=DKIM1; k=rsa; p=...``."""
    return f"v=DKIM1; k={DkimAlgorithm(algorithm).value}; p={public_key_b64}"


def txt_strings(value: str) -> list[str]:
    """Split a TXT value into character-strings of at most 255 octets (RFC 1035 §3.3.14) for publishing."""
    raw = value.encode("ascii")
    return [raw[i : i + 255].decode("ascii") for i in range(0, len(raw), 255)] or [""]


@dataclass(frozen=True, slots=True)
class DkimKeyRecord:
    """A parsed key record; ``problems`` holds stable codes, empty when the record is usable."""

    version: str | None
    key_type: str
    public_key: bytes | None
    hashes: tuple[str, ...]
    service: tuple[str, ...]
    flags: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def testing(self) -> bool:
        return "y" in self.flags


def parse_key_record(text: str) -> DkimKeyRecord:
    """Parse and check ``v=DKIM1; k=...; p=...`` (§3.6.1, RFC 8463); never raises.

    Problem codes: ``DKIM_TAG_SYNTAX``, ``DKIM_VERSION_WRONG``, ``DKIM_KEY_TYPE_UNKNOWN``,
    ``DKIM_KEY_MISSING`` (no ``p=``), ``DKIM_KEY_REVOKED`` (empty ``p=``), ``DKIM_BAD_BASE64``,
    ``DKIM_KEY_TYPE_MISMATCH`` (``p=`` holds another algorithm's key), ``DKIM_KEY_UNPARSABLE``.
    """
    problems: list[str] = []
    tags: dict[str, str] = {}
    for index, part in enumerate(text.split(";")):
        part = part.strip(" \t\r\n")
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip(" \t\r\n")
        if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) or name in tags:
            problems.append("DKIM_TAG_SYNTAX")
            continue
        if name == "v" and index != 0:
            problems.append("DKIM_VERSION_WRONG")  # §3.6.1: v= must be the first tag
        tags[name] = value.strip(" \t\r\n")
    version = tags.get("v")
    if version is not None and version != "DKIM1":
        problems.append("DKIM_VERSION_WRONG")
    key_type = tags.get("k", "rsa").lower()
    if key_type not in ("rsa", "ed25519"):
        problems.append("DKIM_KEY_TYPE_UNKNOWN")
    public_key: bytes | None = None
    if "p" not in tags:
        problems.append("DKIM_KEY_MISSING")
    else:
        compact = _B64_CLEAN.sub("", tags["p"])
        if not compact:
            problems.append("DKIM_KEY_REVOKED")
        elif not _B64_STRICT.match(compact) or len(compact) % 4:
            problems.append("DKIM_BAD_BASE64")
        else:
            try:
                public_key = base64.b64decode(compact, validate=True)
            except binascii.Error:
                problems.append("DKIM_BAD_BASE64")
    if public_key is not None and key_type in ("rsa", "ed25519"):
        problems.extend(_key_shape_problems(key_type, public_key))

    def split(name: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in tags.get(name, "").split(":") if v.strip())

    return DkimKeyRecord(
        version,
        key_type,
        public_key,
        split("h"),
        split("s") or ("*",),
        split("t"),
        tuple(dict.fromkeys(problems)),
    )


def _key_shape_problems(key_type: str, public_key: bytes) -> list[str]:
    if key_type == "ed25519":
        if len(public_key) == 32:
            return []
        return ["DKIM_KEY_TYPE_MISMATCH"] if _is_rsa_spki(public_key) else ["DKIM_KEY_UNPARSABLE"]
    if _is_rsa_spki(public_key):
        return []
    return ["DKIM_KEY_TYPE_MISMATCH"] if len(public_key) == 32 else ["DKIM_KEY_UNPARSABLE"]


def _is_rsa_spki(der: bytes) -> bool:
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError):
        try:  # some publishers put a bare RSAPublicKey (PKCS#1); dkimpy accepts both
            key = serialization.load_der_public_key(_wrap_pkcs1(der))
        except (ValueError, TypeError):
            return False
    return isinstance(key, rsa.RSAPublicKey)


def _wrap_pkcs1(der: bytes) -> bytes:
    algorithm = bytes.fromhex("300d06092a864886f70d0101010500")
    bit_string = b"\x03" + _der_length(len(der) + 1) + b"\x00" + der
    body = algorithm + bit_string
    return b"\x30" + _der_length(len(body)) + body


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def sign(
    message: bytes,
    domain: str,
    selector: str,
    key: DkimKey,
    headers: Sequence[str] = DEFAULT_SIGNED_HEADERS,
    identity: str | None = None,
    timestamp: int | None = None,
) -> bytes:
    """Return the ``DKIM-Signature: ...\\r\\n`` header field for ``message`` (prepend it).

    relaxed/relaxed canonicalization (§3.4); headers absent from the message are not signed, every
    instance of a present one is, and From is signed once more than it occurs so that a From added
    in transit breaks the signature (§8.15). ``timestamp`` (Unix seconds) becomes ``t=`` when given.
    The signature primitive is ``cryptography``'s (OpenSSL), not dkimpy's pure-Python RSA.
    """
    ascii_domain = to_ascii_name(domain)
    if identity is not None and not identity.lower().endswith(ascii_domain.lower()):
        raise DkimKeyInvalid(detail="identity must be in the signing domain (RFC 6376 §3.5 i=)")
    head, body = _split_message(_crlf(message))
    fields = _header_fields(head)
    counts: dict[str, int] = {}
    for raw_name, _ in fields:
        name = _field_name(raw_name)
        counts[name] = counts.get(name, 0) + 1
    wanted = list(dict.fromkeys(name.lower() for name in headers))
    if "from" not in wanted or "from" not in counts:
        raise DkimKeyInvalid(detail="the message has no From header field (RFC 6376 §5.4)")
    signed_names = [name for name in wanted for _ in range(counts.get(name, 0))]
    signed_names.append("from")  # over-signing: a second From cannot be added unnoticed
    body_hash = base64.b64encode(hashlib.sha256(_relaxed_body(body)).digest()).decode("ascii")
    algorithm = "ed25519-sha256" if key.algorithm is DkimAlgorithm.ED25519 else "rsa-sha256"
    tags = [f"v=1; a={algorithm}; c=relaxed/relaxed; d={ascii_domain}; s={selector};"]
    if identity is not None:
        tags.append(f"i={identity};")
    if timestamp is not None:
        tags.append(f"t={int(timestamp)};")
    tags.append(f"h={_fold_list(signed_names)};")
    tags.append(f"bh={body_hash};")
    unsigned = "DKIM-Signature: " + "\r\n ".join(tags) + "\r\n b="
    data = b"".join(_relaxed_header(n, v) for n, v in _select(fields, signed_names))
    # §3.7: the signature field itself, b= empty, canonicalized, without its trailing CRLF.
    sig_name, _, sig_value = unsigned.encode("utf-8").partition(b":")
    data += _relaxed_header(sig_name, sig_value)[:-2]
    signature = base64.b64encode(_signature(key, data)).decode("ascii")
    folded = "\r\n ".join(signature[i : i + 72] for i in range(0, len(signature), 72))
    return (unsigned + folded + "\r\n").encode("utf-8")


def _signature(key: DkimKey, data: bytes) -> bytes:
    private = _load_signing_key(key.private_pem)
    if isinstance(private, ed25519.Ed25519PrivateKey):
        # RFC 8463 §3: PureEdDSA over the SHA-256 hash of the data, not over the data itself.
        return private.sign(hashlib.sha256(data).digest())
    return private.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _load_signing_key(pem: bytes) -> rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey:
    # OpenSSL's RSA key check costs ~30 ms a load, most of a signature's price. Signing keys come
    # from our own key store, checked by generate_key/load_key when they were made or imported.
    try:
        private = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError) as exc:
        raise DkimKeyInvalid(detail="not an unencrypted PEM private key") from exc
    if not isinstance(private, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise DkimKeyInvalid(detail="only RSA and Ed25519 keys are supported")
    return private


def _crlf(message: bytes) -> bytes:
    """The message as SMTP carries it: CRLF line ends, ending in CRLF."""
    if b"\n" in message.replace(b"\r\n", b""):
        message = _BARE_LF.sub(b"\r\n", message)
    return message if message.endswith(b"\r\n") else message + b"\r\n"


def _split_message(message: bytes) -> tuple[bytes, bytes]:
    if message.startswith(b"\r\n"):
        return b"", message[2:]
    head, sep, body = message.partition(b"\r\n\r\n")
    return (head + b"\r\n", body) if sep else (message, b"")


def _header_fields(head: bytes) -> list[tuple[bytes, bytes]]:
    """``(name, value)`` per field in order; the value keeps its folding and trailing CRLF."""
    fields: list[tuple[bytes, bytes]] = []
    for line in head.split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b"\r\n" + line)
        elif b":" in line:
            name, _, value = line.partition(b":")
            fields.append((name, value))
    return fields


def _field_name(raw: bytes) -> str:
    return raw.strip(b" \t").lower().decode("ascii", "replace")


def _select(fields: list[tuple[bytes, bytes]], names: list[str]) -> list[tuple[bytes, bytes]]:
    """§5.4.2: each listed name takes the last not-yet-used instance, from the bottom up."""
    used: set[int] = set()
    chosen: list[tuple[bytes, bytes]] = []
    for wanted in names:
        for index in range(len(fields) - 1, -1, -1):
            if index not in used and _field_name(fields[index][0]) == wanted:
                used.add(index)
                chosen.append(fields[index])
                break
    return chosen


def _relaxed_header(name: bytes, value: bytes) -> bytes:
    """§3.4.2: lower-case name, unfold, runs of WSP to one SP, no WSP around the colon or at the end."""
    unfolded = value.replace(b"\r\n", b"")
    return name.rstrip(b" \t").lower() + b":" + _WSP_RUN.sub(b" ", unfolded).strip(b" \t") + b"\r\n"


def _relaxed_body(body: bytes) -> bytes:
    """§3.4.4: no WSP at line ends, WSP runs to one SP, no trailing empty lines; an empty body stays empty."""
    body = _WSP_RUN.sub(b" ", _TRAILING_WSP.sub(b"\r\n", body))
    while body.endswith(b"\r\n\r\n"):
        body = body[:-2]
    return b"" if body == b"\r\n" else body


def _fold_list(names: list[str], width: int = 70) -> str:
    lines = [""]
    for name in names:
        piece = name if not lines[-1] else ":" + name
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines[-1] += ":"
            lines.append(name)
        else:
            lines[-1] += piece
    return "\r\n ".join(lines)


@dataclass(frozen=True, slots=True)
class DkimVerification:
    """One signature's outcome (RFC 8601 ``dkim=`` with ``header.d``/``header.s``/``header.b``)."""

    result: DkimResult
    domain: str
    selector: str
    algorithm: str = ""
    problem: str | None = None
    signature_prefix: str = ""  # the first characters of b= (RFC 6008 header.b)


@dataclass(frozen=True, slots=True)
class _Signature:
    index: int
    domain: str
    selector: str
    algorithm: str
    prefix: str
    problem: str | None


async def verify(message: bytes, resolver: Resolver, max_signatures: int = 5) -> list[DkimVerification]:
    """Verify up to ``max_signatures`` DKIM-Signature fields; an empty list means "none"."""
    signatures = await asyncio.to_thread(_list_signatures, message, max_signatures)
    keys: dict[str, bytes | None] = {}
    outcomes: dict[int, DkimVerification] = {}
    for sig in signatures:
        if sig.problem is not None:
            outcomes[sig.index] = _outcome(sig, DkimResult.PERMERROR, sig.problem)
            continue
        name = f"{sig.selector}._domainkey.{sig.domain}"
        try:
            answer = await resolver.txt(name)
        except DnsNameInvalid:
            outcomes[sig.index] = _outcome(sig, DkimResult.PERMERROR, "invalid key name")
            continue
        except DnsLookupFailed as exc:
            outcomes[sig.index] = _outcome(sig, DkimResult.TEMPERROR, f"key lookup failed: {exc.code}")
            continue
        if answer.status is not LookupStatus.OK or not answer.records:
            outcomes[sig.index] = _outcome(sig, DkimResult.PERMERROR, "no key record")  # §6.1.2 step 3
            continue
        record_text = next((t for t in answer.records if "p=" in t), answer.records[0])
        record = parse_key_record(record_text)
        if record.problems:
            outcomes[sig.index] = _outcome(sig, DkimResult.PERMERROR, ", ".join(record.problems))
            continue
        keys[f"{name}.".lower()] = record_text.encode("utf-8", "surrogateescape")
    pending = [sig for sig in signatures if sig.index not in outcomes]
    if pending:
        checked = await asyncio.to_thread(_verify_all, message, pending, keys)
        outcomes.update(checked)
    return [outcomes[sig.index] for sig in signatures]


def _outcome(sig: _Signature, result: DkimResult, problem: str | None = None) -> DkimVerification:
    return DkimVerification(result, sig.domain, sig.selector, sig.algorithm, problem, sig.prefix)


def _list_signatures(message: bytes, limit: int) -> list[_Signature]:
    try:
        parsed = dkim.DKIM(message)
    except dkim.DKIMException:
        return []
    found: list[_Signature] = []
    fields = [value for name, value in parsed.headers if name.lower() == b"dkim-signature"]
    for index, value in enumerate(fields[:limit]):
        try:
            tags = dkim.util.parse_tag_value(value)
        except dkim.util.InvalidTagValueList:
            found.append(_Signature(index, "", "", "", "", "malformed DKIM-Signature"))
            continue
        text = {k.decode("ascii", "replace"): v.decode("utf-8", "replace") for k, v in tags.items()}
        domain, selector = text.get("d", "").lower(), text.get("s", "")
        prefix = _B64_CLEAN.sub("", text.get("b", ""))[:8]
        problem = None if domain and selector else "missing d= or s="
        found.append(_Signature(index, domain, selector, text.get("a", ""), prefix, problem))
    return found


def _verify_all(
    message: bytes, signatures: list[_Signature], keys: dict[str, bytes | None]
) -> dict[int, DkimVerification]:
    def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
        return keys.get(name.decode("ascii", "replace").lower())

    verifier = dkim.DKIM(message, minkey=1024)
    results: dict[int, DkimVerification] = {}
    for sig in signatures:
        try:
            ok = verifier.verify(idx=sig.index, dnsfunc=dnsfunc)
        except dkim.ValidationError as exc:
            # §6.1.3: a body hash mismatch is a failed verification, not an unverifiable message.
            body = str(exc).startswith("body hash mismatch")
            results[sig.index] = _outcome(sig, DkimResult.FAIL if body else DkimResult.PERMERROR, str(exc))
            continue
        except dkim.DKIMException as exc:
            results[sig.index] = _outcome(sig, DkimResult.PERMERROR, str(exc) or type(exc).__name__)
            continue
        results[sig.index] = _outcome(sig, DkimResult.PASS if ok else DkimResult.FAIL)
    return results
