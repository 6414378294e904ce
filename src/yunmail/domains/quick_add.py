"""Quick add: write a domain's expected records into the customer's own DNS server (RFC 2136 + TSIG).

The customer gives their primary server's address, the zone and a TSIG key (RFC 8945; name,
algorithm, base64 secret as ``tsig-keygen`` prints it). Each record goes in its own signed UPDATE
over TCP (large DKIM TXT records do not fit a 512-byte UDP message), so each gets its own result;
one refused record never blocks the others. Nothing is deleted: MX and TXT rows are added next to
what the zone holds (the check then reports an old provider's MX or a second SPF record as it
would after a manual edit); a CNAME replaces the name's CNAME, since a name holds at most one.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

import dns.asyncquery
import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.tsig
import dns.update

from yunmail.dns import to_ascii_name
from yunmail.errors import TsigKeyInvalid
from yunmail.mailauth.records import ExpectedRecord

__all__ = ["TSIG_ALGORITHMS", "QuickAddResult", "TsigKey", "quick_add"]

TSIG_ALGORITHMS = {
    "hmac-sha256": dns.tsig.HMAC_SHA256,
    "hmac-sha384": dns.tsig.HMAC_SHA384,
    "hmac-sha512": dns.tsig.HMAC_SHA512,
}
_IN = dns.rdataclass.IN


@dataclass(frozen=True, slots=True)
class TsigKey:
    name: str  # e.g. "yunmail-update."
    secret: str  # base64
    algorithm: str = "hmac-sha256"

    def dns_key(self) -> dns.tsig.Key:
        """The dnspython key; TsigKeyInvalid for an unknown algorithm or a secret that is not base64."""
        algorithm = TSIG_ALGORITHMS.get(self.algorithm.lower().rstrip("."))
        if algorithm is None:
            raise TsigKeyInvalid(detail=f"algorithm {self.algorithm} (use {', '.join(TSIG_ALGORITHMS)})")
        try:
            secret = base64.b64decode(self.secret.strip(), validate=True)
            name = dns.name.from_text(self.name)
        except (binascii.Error, ValueError, dns.exception.DNSException) as exc:
            raise TsigKeyInvalid(detail="the secret must be base64 and the name a DNS name") from exc
        if not secret:
            raise TsigKeyInvalid(detail="the secret is empty")
        return dns.tsig.Key(name, secret, algorithm)


@dataclass(frozen=True, slots=True)
class QuickAddResult:
    record: ExpectedRecord
    status: str  # "added" | "outside-zone" | a DNS rcode ("REFUSED", "NOTAUTH", …) | "timeout" | "error"
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "added"

    def as_dict(self) -> dict[str, object]:
        return {**self.record.as_dict(), "status": self.status, "ok": self.ok, "detail": self.detail}


async def quick_add(
    records: Sequence[ExpectedRecord],
    *,
    server: str,
    zone: str,
    tsig: TsigKey,
    port: int = 53,
    wait_seconds: float = 5.0,
) -> list[QuickAddResult]:
    """Send one signed UPDATE per record to ``server``; the result of each, in the order given."""
    key = tsig.dns_key()
    origin = dns.name.from_text(to_ascii_name(zone) + ".")
    results = []
    for record in records:
        owner = dns.name.from_text(record.host + ".")
        if not owner.is_subdomain(origin):
            results.append(QuickAddResult(record, "outside-zone", f"{record.host} is not in {zone}"))
            continue
        results.append(await _send(record, owner, origin, key, server, port, wait_seconds))
    return results


async def _send(
    record: ExpectedRecord,
    owner: dns.name.Name,
    origin: dns.name.Name,
    key: dns.tsig.Key,
    server: str,
    port: int,
    wait_seconds: float,
) -> QuickAddResult:
    update = dns.update.UpdateMessage(origin, keyring=key, keyname=key.name, keyalgorithm=key.algorithm)
    rdata = _rdata(record)
    if record.type == "CNAME":
        update.replace(owner, record.ttl, rdata)
    else:
        update.add(owner, record.ttl, rdata)
    try:
        response = await dns.asyncquery.tcp(update, server, timeout=wait_seconds, port=port)
    except dns.exception.Timeout:
        return QuickAddResult(record, "timeout", f"no answer from {server}:{port} in {wait_seconds:g}s")
    except (
        dns.message.BadTSIG,
        dns.tsig.PeerError,
        dns.tsig.BadSignature,
        dns.message.UnknownTSIGKey,
    ) as exc:
        return QuickAddResult(record, "NOTAUTH", f"the server did not accept the TSIG key ({exc})")
    except dns.exception.FormError as exc:
        # RFC 8945 §5.3.2: a server that cannot verify the key answers NOTAUTH unsigned, which
        # dnspython reports as a malformed (unsigned) response to a signed request.
        if "TSIG" in str(exc):
            return QuickAddResult(record, "NOTAUTH", "the server did not accept the TSIG key")
        return QuickAddResult(record, "error", f"FormError: {exc}")
    except (OSError, dns.exception.DNSException) as exc:
        return QuickAddResult(record, "error", f"{type(exc).__name__}: {exc}")
    rcode = response.rcode()
    if rcode == dns.rcode.NOERROR:
        return QuickAddResult(record, "added")
    return QuickAddResult(record, dns.rcode.to_text(rcode), f"the server answered {dns.rcode.to_text(rcode)}")


def _rdata(record: ExpectedRecord) -> dns.rdata.Rdata:
    if record.type == "TXT":
        strings = [part.encode("utf-8") for part in record.strings()]
        return dns.rdtypes.ANY.TXT.TXT(_IN, dns.rdatatype.TXT, strings)
    if record.type == "MX":
        return dns.rdata.from_text(_IN, dns.rdatatype.MX, f"{record.preference} {record.value}.")
    return dns.rdata.from_text(_IN, dns.rdatatype.from_text(record.type), f"{record.value}.")
