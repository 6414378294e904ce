"""The message body as the webmail shows it: one sanitised HTML document for a sandboxed frame.

Defence in depth, each layer enough on its own against script:

1. ``mime.sanitize_html`` (nh3 allow-list): no script, handlers, forms, frames, ``<base>``,
   ``<meta>``, ``<style>``; URLs limited to http(s)/mailto/tel; CSS that cannot load anything;
   remote images removed unless the reader asked for them; links get ``target=_blank`` and
   ``rel="noopener noreferrer"``;
2. the document is served from its own URL with a strict ``Content-Security-Policy``
   (``default-src 'none'``, no script source at all, images only from ``data:`` and our own inline
   parts unless remote images were allowed for this message) that also sandboxes it (``sandbox``
   directive), so even opened on its own it cannot run anything;
3. the read page embeds it in ``<iframe sandbox>`` without ``allow-scripts``.

Plain-text mail is escaped into ``<pre>``; ``cid:`` images point at the message's own parts.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from yunmail.mime import ParsedMessage, message_body, sanitize_html

_FRAME_STYLE = (
    "html{color-scheme:light}"
    "body{margin:0;padding:12px;font:15px/1.6 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',"
    "'Noto Sans CJK SC',sans-serif;color:#1d2430;background:#fff;overflow-wrap:anywhere;"
    "word-break:break-word}"
    "img{max-width:100%;height:auto}table{max-width:100%}"
    "pre.plain{white-space:pre-wrap;font:inherit;margin:0}"
    "blockquote{margin:0 0 0 .6em;padding-left:.6em;border-left:3px solid #dfe3ea;color:#5f6b7a}"
)


@dataclass(frozen=True, slots=True)
class BodyDocument:
    html: str
    remote_blocked: bool  # remote images were removed (offer "show images")
    is_html: bool


def body_policy(allow_remote_images: bool) -> str:
    """The CSP of the body document: nothing but inline styles and (local) images."""
    images = "data: 'self'" + (" https: http:" if allow_remote_images else "")
    return (
        "default-src 'none'; "
        f"img-src {images}; "
        "style-src 'unsafe-inline'; "
        "font-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
        "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox"
    )


def body_document(
    data: bytes,
    parsed: ParsedMessage,
    *,
    allow_remote_images: bool,
    cid_url: Callable[[str], str | None],
) -> BodyDocument:
    body = message_body(data, parsed.root)
    if body.html is not None:
        clean = sanitize_html(
            body.html,
            allow_remote_images=allow_remote_images,
            allow_data_images=True,
            resolve_cid=cid_url,
        )
        inner, blocked, is_html = clean.html, clean.remote_blocked, True
    else:
        inner, blocked, is_html = f'<pre class="plain">{html.escape(body.text)}</pre>', False, False
    document = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer">'
        f"<style>{_FRAME_STYLE}</style></head><body>{inner}</body></html>"
    )
    return BodyDocument(document, blocked, is_html)
