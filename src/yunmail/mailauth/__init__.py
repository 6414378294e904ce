"""Sender authentication as pure libraries: SPF, DKIM, DMARC, Authentication-Results and expected records.

Nothing here stores anything or owns a resolver: every lookup goes through the `yunmail.dns.Resolver`
passed in (mox's ``dkim``/``spf``/``dmarc`` packages are the model). Modules:

* ``spf``      RFC 7208 ``check_host()`` and a static lookup count for diagnosis;
* ``dkim``     RFC 6376/8463 keys, key records, signing and verification (dkimpy underneath);
* ``dmarc``    RFC 7489 policy discovery, alignment and result;
* ``results``  RFC 8601 Authentication-Results rendering and parsing;
* ``records``  the DNS records a domain publishes for this deployment.
"""

from yunmail.mailauth import dkim, dmarc, records, results, spf

__all__ = ["dkim", "dmarc", "records", "results", "spf"]
