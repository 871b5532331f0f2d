"""Rich-text facets found in a post's text: links, mentions and hashtags.

Bluesky posts carry no markup; instead a record lists facets, each pointing at
a slice of the text by UTF-8 *byte* offsets (start inclusive, end exclusive)
and saying what that slice is. https://docs.bsky.app/docs/advanced-guides/post-richtext

Detection follows the rules the docs describe and the official app applies:
- a link is an http(s) URL starting the text or after a space or "(", without
  the punctuation that ends a sentence after it (nor a closing parenthesis that
  has no opening one inside the URL);
- a mention is "@" and a handle (a domain name; "alice.test" counts) starting the
  text or after a space or "("; the facet needs the account's DID, so mentions
  are returned unresolved and the connector drops those whose handle does not
  resolve;
- a hashtag is "#" (or the full-width "＃") after a space or at the start, up to
  the next space, without trailing punctuation, at most 64 characters, and not
  made only of digits and punctuation ("#1" is a number, not a tag).

This module is pure (no I/O): the connector resolves handles.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import regex

LINK = "app.bsky.richtext.facet#link"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"

TAG_MAX_CHARS = 64

_URL = regex.compile(r"(?:^|(?<=[\s(]))(https?://\S+)", regex.IGNORECASE)
# Sentence punctuation that closes a sentence after a URL rather than belonging to it.
_URL_TRAILING = regex.compile(r"[.,;:!?\"'»”’]+$")

_HANDLE = regex.compile(
    r"(?:^|(?<=[\s(]))@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?![a-zA-Z0-9@-]|\.[a-zA-Z0-9])"
)

# Characters that end a tag besides white space: soft hyphen, word joiner, the
# zero-width spaces and joiners, and the enclosing keycap (so "#️⃣" is no tag).
_TAG_STOP = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(rf"(?:^|(?<=\s))[#＃](?!\ufe0f)([^\s{_TAG_STOP}]+)")
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
# A tag needs one character that is neither a digit nor punctuation.
_TAG_WORD = regex.compile(r"[^\d\p{P}]")


class Kind(StrEnum):
    LINK = "link"
    MENTION = "mention"
    TAG = "tag"


@dataclass(frozen=True)
class Span:
    """A detected slice: `value` is the URL, the handle (no "@"), or the tag (no "#")."""

    kind: Kind
    byte_start: int
    byte_end: int
    value: str


def detect(text: str) -> list[Span]:
    """Return the links, mentions and tags of `text`, in text order, never overlapping."""
    found = _links(text) + _mentions(text) + _tags(text)
    found.sort(key=lambda span: (span[0], -span[1]))
    spans: list[Span] = []
    taken_until = 0
    for start, end, kind, value in found:
        if start < taken_until:
            continue  # inside a link already found: "https://x.example/#anchor" is no tag
        spans.append(Span(kind, _bytes(text, 0, start), _bytes(text, 0, end), value))
        taken_until = end
    return spans


def facet(span: Span, did: str = "") -> dict:
    """Return the app.bsky.richtext.facet for `span` (a mention needs the account's DID)."""
    if span.kind is Kind.LINK:
        feature = {"$type": LINK, "uri": span.value}
    elif span.kind is Kind.MENTION:
        feature = {"$type": MENTION, "did": did}
    else:
        feature = {"$type": TAG, "tag": span.value}
    return {
        "index": {"byteStart": span.byte_start, "byteEnd": span.byte_end},
        "features": [feature],
    }


def _bytes(text: str, start: int, end: int) -> int:
    return len(text[start:end].encode("utf-8"))


def _links(text: str) -> list[tuple[int, int, Kind, str]]:
    links = []
    for match in _URL.finditer(text):
        url = _URL_TRAILING.sub("", match.group(1))
        if url.endswith(")") and "(" not in url:
            url = _URL_TRAILING.sub("", url[:-1])
        if "://" in url and url.split("://", 1)[1]:
            start = match.start(1)
            links.append((start, start + len(url), Kind.LINK, url))
    return links


def _mentions(text: str) -> list[tuple[int, int, Kind, str]]:
    return [
        (match.start(), match.end(), Kind.MENTION, match.group(1).lower())
        for match in _HANDLE.finditer(text)
    ]


def _tags(text: str) -> list[tuple[int, int, Kind, str]]:
    tags = []
    for match in _TAG.finditer(text):
        tag = _TRAILING_PUNCTUATION.sub("", match.group(1))
        if not tag or len(tag) > TAG_MAX_CHARS or not _TAG_WORD.search(tag):
            continue
        start = match.start()
        tags.append((start, start + 1 + len(tag), Kind.TAG, tag))
    return tags
