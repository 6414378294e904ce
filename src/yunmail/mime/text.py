"""Text out of message bodies: transfer decoding, charsets, HTML to text, and safe HTML for webmail.

Everything here is bounded: inputs are cut to a limit before any work, and the HTML scanner is a
single forward pass using ``str.find`` (no backtracking regular expressions over the document),
so hostile HTML (unclosed comments, a million "<") costs linear time.

``sanitize_html`` is the only HTML that may reach a browser. It uses nh3 (ammonia) with an
allow-list: no scripts, no event handlers, no forms, no <base>, <meta>, <link>, <style> or
frames; URLs limited to http(s), mailto, tel and cid; remote images are blocked unless asked for
(tracking pixels), and CSS is limited to properties that cannot load anything.
"""

from __future__ import annotations

import binascii
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3

from yunmail.mime.encoded_words import decode_bytes
from yunmail.mime.structure import Part

__all__ = [
    "MessageBody",
    "SanitizedHtml",
    "decode_text",
    "decode_transfer_encoding",
    "html_to_text",
    "message_body",
    "part_bytes",
    "part_text",
    "sanitize_html",
]

HTML_INPUT_LIMIT = 4_000_000  # characters of HTML looked at
_B64_DELETE = bytes(ch for ch in range(256) if not (chr(ch).isalnum() and ch < 128) and ch not in b"+/")

# Each pattern below can only succeed once it has started (unclosed constructs run to the end
# of the input), so a substitution pass never re-scans text: linear time on any input.
_RAW_ELEMENTS = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|template|xml|title)\b[^>]*(?:>.*?(?:</\1\s*>|\Z)|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|tr|h[1-6]|table|blockquote|pre|hr|ul|ol|dl|dt|dd|section|article|header"
    r"|footer|address|center|form)\b[^>]*(?:>|\Z)",
    re.IGNORECASE,
)
_CELL_TAG = re.compile(r"</?(?:td|th)\b[^>]*(?:>|\Z)", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*(?:>|\Z)|<[!?][^>]*(?:>|\Z)")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u3000\u200b]+")
_BLANK_LINES = re.compile(r"\n{2,}")


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset, then utf-8, gb18030, latin-1 (never raises)."""
    return decode_bytes(data, charset)


def decode_transfer_encoding(data: bytes, encoding: str | None) -> bytes:
    """Undo a Content-Transfer-Encoding (RFC 2045 §6) leniently; unknown encodings pass through.

    base64: characters outside the alphabet are dropped and missing padding is tolerated;
    quoted-printable: soft line breaks removed, invalid escapes kept as they are.
    """
    if encoding == "base64":
        clean = data.translate(None, _B64_DELETE)
        if len(clean) % 4 == 1:
            clean = clean[:-1]
        clean += b"=" * (-len(clean) % 4)
        try:
            return binascii.a2b_base64(clean)
        except binascii.Error:
            return b""
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    return data


def html_to_text(source: str, *, limit: int = 1_000_000) -> str:
    """Readable text of an HTML document for search and previews (at most ``limit`` characters)."""
    text = source[: min(HTML_INPUT_LIMIT, max(limit, 0) * 8 + 4096)]
    text = _RAW_ELEMENTS.sub("", text)
    text = _BLOCK_TAG.sub("\n", text)
    text = _CELL_TAG.sub(" ", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()[:limit]


@dataclass(frozen=True, slots=True)
class SanitizedHtml:
    html: str
    remote_blocked: bool  # remote images or other remote content were removed


_ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br",
        "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn",
        "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
        "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strike", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u",
        "ul", "var", "wbr",
    }
)  # fmt: skip
_CLEAN_CONTENT = frozenset({"script", "style", "title", "noscript", "template", "textarea", "select"})
_GENERIC_ATTRIBUTES = frozenset({"align", "dir", "lang", "title", "style", "valign", "width", "height"})
_TAG_ATTRIBUTES: dict[str, set[str]] = {
    "*": set(_GENERIC_ATTRIBUTES),
    "a": {"href", "name"},
    "img": {"src", "alt", "border", "hspace", "vspace"},
    "table": {"border", "cellpadding", "cellspacing", "bgcolor", "summary"},
    "td": {"colspan", "rowspan", "bgcolor", "nowrap"},
    "th": {"colspan", "rowspan", "bgcolor", "nowrap", "scope"},
    "tr": {"bgcolor"},
    "font": {"color", "face", "size"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "del": {"datetime", "cite"},
    "ins": {"datetime", "cite"},
}
# CSS properties that cannot fetch anything (no url(), no background shorthand, no position).
_STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color", "font", "font-family", "font-size", "font-style",
        "font-weight", "font-variant", "text-align", "text-decoration", "text-indent",
        "text-transform", "line-height", "letter-spacing", "word-spacing", "white-space",
        "vertical-align", "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left", "border",
        "border-top", "border-right", "border-bottom", "border-left", "border-color",
        "border-style", "border-width", "border-collapse", "border-spacing", "border-radius",
        "width", "height", "max-width", "min-width", "max-height", "min-height", "display",
        "direction", "list-style-type", "table-layout", "overflow-wrap", "word-break",
    }
)  # fmt: skip
_CSS_NOISE = re.compile(r"\s+|/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_FORBIDDEN = (
    "url(",
    "expression(",
    "javascript:",
    "\\",
    "@import",
    "behavior:",
    "-moz-binding",
    "image-set(",
)
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


def sanitize_html(
    source: str,
    *,
    allow_remote_images: bool = False,
    allow_data_images: bool = False,
    resolve_cid: Callable[[str], str | None] | None = None,
    proxy_image: Callable[[str], str | None] | None = None,
) -> SanitizedHtml:
    """Make untrusted mail HTML safe to show in the webmail.

    Remote images are dropped (``remote_blocked``) unless ``allow_remote_images``; with
    ``proxy_image`` they are rewritten through the given URL builder instead. ``cid:`` images
    are passed to ``resolve_cid`` (returning the webmail URL of that inline part, or None to drop).
    ``data:`` images are dropped unless ``allow_data_images``. Relative URLs are removed (they
    would point into the webmail itself). Links open in a new tab with ``rel="noopener noreferrer"``.
    """
    blocked = False
    produced: set[str] = set()  # URLs we made (cid/proxy); the only relative URLs let through

    def made(url: str | None) -> str | None:
        if url is not None:
            produced.add(url)
        return url

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        if attribute == "src" and tag == "img":
            stripped = value.strip()
            lowered = stripped.lower()
            if lowered.startswith("cid:"):
                return made(resolve_cid(stripped[4:])) if resolve_cid is not None else None
            if lowered.startswith("data:"):
                return stripped if allow_data_images and lowered.startswith("data:image/") else None
            if _REMOTE.match(stripped):
                if allow_remote_images:
                    return stripped
                if proxy_image is not None:
                    return made(proxy_image(stripped))
                blocked = True
                return None
            return None  # relative and other sources mean nothing in a mail
        if attribute == "href" and value.strip().lower().startswith(("data:", "cid:")):
            return None
        if attribute == "style":
            # Only harmless properties pass filter_style_properties; values must not load or run
            # anything either (url(), IE expression(), escapes that could hide them).
            compact = _CSS_NOISE.sub("", value.lower())
            if any(token in compact for token in _CSS_FORBIDDEN):
                return None
        return value

    schemes = {"http", "https", "mailto", "tel", "cid"}
    if allow_data_images:
        schemes.add("data")
    cleaned = nh3.clean(
        source[:HTML_INPUT_LIMIT],
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT),
        attributes={tag: set(names) for tag, names in _TAG_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes=schemes,
        # A relative link in mail would resolve against the webmail's own origin.
        url_relative=lambda url: url if url in produced else None,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties=set(_STYLE_PROPERTIES),
    )
    return SanitizedHtml(cleaned, blocked)


# --- the readable body of a message (webmail display, reply quoting) ------------------------------

BODY_INPUT_LIMIT = 8 * 1024 * 1024  # encoded octets of one body part looked at


@dataclass(frozen=True, slots=True)
class MessageBody:
    """What a reader sees: ``html`` (unsanitised markup, None for text-only mail) and plain ``text``."""

    html: str | None
    text: str


def part_bytes(data: bytes, part: Part, *, limit: int | None = None) -> bytes:
    """The decoded content of a leaf part (transfer encoding undone), at most ``limit`` encoded octets."""
    end = part.body_end if limit is None else min(part.body_end, part.header_end + limit)
    return decode_transfer_encoding(data[part.header_end : end], part.encoding)


def part_text(data: bytes, part: Part) -> str:
    """A text part as ``str`` in its declared charset (bounded by ``BODY_INPUT_LIMIT``)."""
    return decode_text(part_bytes(data, part, limit=BODY_INPUT_LIMIT), part.charset).replace("\x00", " ")


def _is_body_part(part: Part) -> bool:
    if part.disposition == "attachment" or part.mime_type not in ("text/plain", "text/html"):
        return False
    return part.disposition == "inline" or part.filename is None


def _has_type(part: Part, mime_type: str) -> bool:
    return any(p.mime_type == mime_type and _is_body_part(p) for p in part.walk() if p.message is None)


def _body_leaves(root: Part, prefer_html: bool) -> list[Part]:
    """Body text leaves in document order; in multipart/alternative (RFC 2046 §5.1.4) one child:
    the last one holding HTML when ``prefer_html``, else the first plain-text one (else the last)."""
    leaves: list[Part] = []
    stack: list[Part] = [root]
    while stack:
        part = stack.pop()
        if part.is_multipart:
            children = part.children
            if part.content_subtype == "alternative" and children:
                wanted = "text/html" if prefer_html else "text/plain"
                chosen = [c for c in children if _has_type(c, wanted)]
                pick = (chosen[-1] if prefer_html else chosen[0]) if chosen else children[-1]
                children = (pick,)
            stack.extend(reversed(children))
        elif part.message is not None:
            if part is root:
                stack.append(part.message)
            # an attached message is an attachment, not part of this message's body
        elif not part.opaque and _is_body_part(part):
            leaves.append(part)
    return leaves


def message_body(data: bytes, root: Part) -> MessageBody:
    """The body to show or quote: HTML when the message has an HTML body, and always a text form.

    Several inline text parts (a multipart/mixed with a footer) are joined in order; a plain
    part between HTML ones is escaped into ``<pre>`` so the HTML stays one document.
    """
    html_leaves = _body_leaves(root, prefer_html=True)
    markup: str | None = None
    if any(p.content_subtype == "html" for p in html_leaves):
        pieces = []
        for part in html_leaves:
            content = part_text(data, part)
            if part.content_subtype == "html":
                pieces.append(content)
            else:
                pieces.append('<pre style="white-space: pre-wrap">' + html.escape(content) + "</pre>")
        markup = "\n".join(pieces)
    texts = []
    for part in _body_leaves(root, prefer_html=False):
        content = part_text(data, part)
        texts.append(html_to_text(content) if part.content_subtype == "html" else content)
    return MessageBody(markup, "\n\n".join(t.strip("\r\n") for t in texts if t.strip()))
