"""The public API of yunmail.mime, and header-field location for BODY[HEADER.FIELDS (...)]."""

from __future__ import annotations

import yunmail.mime
from yunmail.mime import ParsedMessage, iter_header_fields, parse_message

from .samples import FORWARDED, crlf

EXPECTED_API = {
    "MAX_DEPTH",
    "MAX_PARTS",
    "Address",
    "AttachmentInfo",
    "Envelope",
    "EnvelopeAddress",
    "Group",
    "HeaderField",
    "OutgoingAttachment",
    "ParsedMessage",
    "Part",
    "SanitizedHtml",
    "build_message",
    "build_report",
    "canonicalize_line_endings",
    "check_local_part",
    "decode_text",
    "decode_transfer_encoding",
    "domain_to_unicode",
    "encode_header",
    "flatten_addresses",
    "format_address_header",
    "format_addresses",
    "html_to_text",
    "is_valid_address",
    "iter_header_fields",
    "make_message_id",
    "normalize_address",
    "normalize_domain",
    "parse_address",
    "parse_address_list",
    "parse_message",
    "sanitize_html",
    # webmail compose and reading (mime.compose, mime.text)
    "DRAFT_FIELDS",
    "ComposedMessage",
    "OutgoingMessage",
    "carried_attachment",
    "check_header_text",
    "compose",
    "draft_field",
    "forward_subject",
    "message_text",
    "quote_text",
    "reply_recipients",
    "reply_subject",
    "reply_threading",
    "split_recipients",
    "MessageBody",
    "message_body",
    "part_bytes",
    "part_text",
}


def test_public_api_is_locked() -> None:
    assert set(yunmail.mime.__all__) == EXPECTED_API
    for name in yunmail.mime.__all__:
        assert hasattr(yunmail.mime, name), name


def test_mime_imports_only_allowed_packages() -> None:
    import ast
    import pathlib

    allowed_third_party = {"idna", "nh3"}
    package = pathlib.Path(yunmail.mime.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "yunmail":
                    assert name.startswith(("yunmail.mime", "yunmail.errors")), (path.name, name)
                else:
                    assert top in allowed_third_party or top in __import__("sys").stdlib_module_names, (
                        path.name,
                        name,
                    )


def test_iter_header_fields_gives_exact_byte_ranges() -> None:
    header = crlf("Subject: one\n  two\nX-Empty:\nno colon line\nTo : a@b.c\n\n")
    fields = list(iter_header_fields(header))
    assert [(f.name, header[f.start : f.end]) for f in fields] == [
        ("Subject", b"Subject: one\r\n  two\r\n"),
        ("X-Empty", b"X-Empty:\r\n"),
        ("no colon line", b"no colon line\r\n"),
        ("To", b"To : a@b.c\r\n"),
    ]
    assert fields[0].value == b"one  two"
    assert fields[1].value == b""


def test_header_fields_of_an_embedded_message() -> None:
    parsed = parse_message(FORWARDED)
    inner = parsed.root.children[1].message
    assert inner is not None
    block = FORWARDED[inner.header_start : inner.header_end]
    names = [field.name for field in iter_header_fields(block)]
    assert names[:3] == ["From", "To", "Cc"]
    assert "Content-Type" in names


def test_cache_json_is_compact_and_versioned() -> None:
    parsed = parse_message(FORWARDED)
    data = parsed.to_dict()
    assert data["v"] == 1
    assert ParsedMessage.from_dict(data) == parsed
