"""Turning a post's plain text into WordPress post HTML, and comment HTML back into text."""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser

URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
# Tags that end a block of text: a reader sees what follows after a blank line.
BLOCK_TAGS = frozenset({"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})


def trace_marker(idempotency_key: str) -> str:
    """Return the searchable token a publish leaves in the post for `find_published`."""
    return "tribune:" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def title_and_body(title: str, text: str) -> tuple[str, str]:
    """Return the post title and the text left for its body.

    Without a title, the first line of the text becomes the title and leaves
    the body, so it is not shown twice (unless it is all there is).
    """
    if title.strip():
        return title.strip(), text
    first, _, rest = text.strip().partition("\n")
    return first.strip(), (rest.strip() or text)


def post_html(text: str, link: str = "", marker: str = "", embeds: tuple[str, ...] = ()) -> str:
    """Return the post content: one <p> per paragraph, links made clickable, then the link
    (unless the text already shows it), extra media, and the trace marker as an HTML comment."""
    blocks = [_paragraph(part) for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    if link and link not in text:
        blocks.append(_paragraph(link))
    blocks.extend(embeds)
    if marker:
        # Readers never see an HTML comment; WordPress's search still finds it. Inside the last
        # block, so WordPress does not wrap it in an empty paragraph of its own.
        last = blocks.pop() if blocks else "<p></p>"
        closing = last.rindex("</")
        blocks.append(f"{last[:closing]}<!-- {marker} -->{last[closing:]}")
    return "\n\n".join(blocks)


def image_html(url: str, alt: str) -> str:
    return (f'<figure class="wp-block-image"><img src="{html.escape(url)}" '
            f'alt="{html.escape(alt)}" /></figure>')  # fmt: skip


def video_html(url: str) -> str:
    return (
        f'<figure class="wp-block-video"><video controls src="{html.escape(url)}"></video></figure>'
    )


def _paragraph(text: str) -> str:
    lines = [_linked(line.strip()) for line in text.strip().splitlines()]
    return "<p>" + "<br />\n".join(lines) + "</p>"


def _linked(line: str) -> str:
    out, last = [], 0
    for match in URL.finditer(line):
        out.append(html.escape(line[last : match.start()], quote=False))
        url = html.escape(match.group(), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    out.append(html.escape(line[last:], quote=False))
    return "".join(out)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        # Line ends inside HTML text are spaces to a reader; only tags break lines.
        self.parts.append(re.sub(r"\s+", " ", data))


def plain_text(rendered: str) -> str:
    """Return what a reader sees of rendered HTML, as plain text (paragraphs on their own lines)."""
    collector = _TextCollector()
    collector.feed(rendered)
    collector.close()
    lines = [line.strip() for line in "".join(collector.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
