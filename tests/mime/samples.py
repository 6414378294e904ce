"""Sample messages for the mime tests, written with LF and turned into CR LF by :func:`crlf`."""

from __future__ import annotations

import base64


def crlf(text: str) -> bytes:
    """The message as stored: UTF-8 (for 8-bit samples) with CR LF line ends."""
    return text.replace("\n", "\r\n").encode("utf-8")


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


SIMPLE = crlf(
    """From: Zhang San <zhang@example.cn>
To: li@example.cn
Subject: Weekly report
Date: Mon, 3 Jun 2024 09:30:00 +0800
Message-ID: <r1@example.cn>

Hello Li,
the report is attached.
"""
)

ALTERNATIVE = crlf(
    """From: a@example.com
To: b@example.com
Subject: alt
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 menu for today
--ALT
Content-Type: text/html; charset=utf-8

<p>Caf&eacute; <b>menu</b> for today</p>
--ALT--
"""
)

PDF_BYTES = b"%PDF-1.4 fake pdf \x00\x01\x02" * 20
PNG_BYTES = b"\x89PNG\r\n\x1a\nfake" * 10

MIXED = crlf(
    f"""From: a@example.com
To: b@example.com
Subject: files
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="MIX"

This is a preamble.
--MIX
Content-Type: multipart/related; boundary="REL"

--REL
Content-Type: text/html; charset=us-ascii

<p>See <img src="cid:logo@x"></p>
--REL
Content-Type: image/png
Content-ID: <logo@x>
Content-Transfer-Encoding: base64

{b64(PNG_BYTES)}--REL--

--MIX
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

{b64(PDF_BYTES)}--MIX--
This is the epilogue.
"""
)

FORWARDED = crlf(
    """From: fwd@example.com
To: boss@example.com
Subject: Fwd: budget
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="OUT"

--OUT
Content-Type: text/plain

See below.
--OUT
Content-Type: message/rfc822

From: "Original Sender" <orig@example.org>
To: fwd@example.com, Group: x@y.org;
Cc: cc@example.org
Subject: budget
Date: Tue, 4 Jun 2024 10:00:00 +0000
Message-ID: <orig-1@example.org>
In-Reply-To: <parent@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="IN"

--IN
Content-Type: text/plain

The budget is 42.
--IN
Content-Type: text/html

<p>The budget is 42.</p>
--IN--

--OUT--
"""
)

DIGEST = crlf(
    """From: list@example.com
Subject: digest
MIME-Version: 1.0
Content-Type: multipart/digest; boundary="DIG"

--DIG

From: one@example.com
Subject: first

one
--DIG
Content-Type: text/plain

not a message
--DIG--
"""
)
