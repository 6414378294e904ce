"""Message bytes to structure and back: parsing, addresses, body text and safe builders.

Pure code: no services, no I/O, no asyncio. Large parses belong in ``asyncio.to_thread``.
"""

from yunmail.mime.address import (
    Address,
    Group,
    check_local_part,
    domain_to_unicode,
    flatten_addresses,
    format_addresses,
    is_valid_address,
    normalize_address,
    normalize_domain,
    parse_address,
    parse_address_list,
)
from yunmail.mime.build import (
    OutgoingAttachment,
    build_message,
    build_report,
    encode_header,
    format_address_header,
    make_message_id,
)
from yunmail.mime.headers import HeaderField, iter_header_fields
from yunmail.mime.parse import MAX_DEPTH, MAX_PARTS, canonicalize_line_endings, parse_message
from yunmail.mime.structure import AttachmentInfo, Envelope, EnvelopeAddress, ParsedMessage, Part
from yunmail.mime.text import (
    SanitizedHtml,
    decode_text,
    decode_transfer_encoding,
    html_to_text,
    sanitize_html,
)

__all__ = [
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
]
