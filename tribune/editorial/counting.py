"""How each network counts the length of a text.

Networks do not agree on what a "character" is: Bluesky counts grapheme
clusters, X weighs characters and counts any link as 23, Mastodon counts
graphemes with links as 23, YouTube limits its description in UTF-8 bytes.
Each way of counting is one function here; `rules.NETWORK_RULES` says which
network uses which. `static/editorial/composer.js` mirrors these for the live
counter; the server's count is the one that decides.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

# `regex` rather than the standard `re`: only it matches extended grapheme
# clusters (`\X`, Unicode's UAX #29), which Python's standard library cannot
# segment. It is maintained and follows each new Unicode version, where the
# `grapheme` package stopped at Unicode 13 in 2020.
import regex

# A link as the networks detect it: with a scheme or starting with "www.".
# Trailing punctuation is left out, as a sentence may end right after a link.
URL_RE = regex.compile(r"(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]'\"]*(?:\s|$))", regex.I)
HASHTAG_RE = regex.compile(r"(?<![\w&#])#(\w*[^\W\d_]\w*)")
# "@name@instance.tld": Mastodon counts only "@name" of a remote mention.
REMOTE_MENTION_RE = regex.compile(r"(?<![\w@])@(\w+)@[\w.-]+\.\w+")
GRAPHEME_RE = regex.compile(r"\X")
PICTOGRAPH_RE = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")

# Every link counts this many characters on X and Mastodon, whatever its length:
# X wraps links with t.co (https://developer.x.com/en/docs/counting-characters),
# Mastodon counts them as 23 (https://docs.joinmastodon.org/user/posting/#links).
LINK_LENGTH = 23

# X's weighting, from twitter-text's configuration v3 (github.com/twitter/twitter-text,
# config/v3.json): code points in these ranges weigh 1, all others 2, an emoji 2.
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


class Counting(StrEnum):
    CHARACTERS = "characters"  # Unicode code points, after NFC normalisation
    GRAPHEMES = "graphemes"  # what a reader sees as one character
    X_WEIGHTED = "x_weighted"  # X: weighted characters, any link 23
    MASTODON = "mastodon"  # graphemes, any link 23, remote mentions by local name
    UTF8_BYTES = "utf8_bytes"


def graphemes(text: str) -> int:
    """Return the number of extended grapheme clusters in `text`."""
    return len(GRAPHEME_RE.findall(text))


def _x_weight(cluster: str) -> int:
    if PICTOGRAPH_RE.search(cluster):
        return 2
    return sum(1 if any(lo <= ord(ch) <= hi for lo, hi in X_LIGHT_RANGES) else 2 for ch in cluster)


def x_weighted(text: str) -> int:
    """Return X's weighted length: links 23, light characters 1, others and emoji 2."""
    text = unicodedata.normalize("NFC", text)
    links = URL_RE.findall(text)
    rest = URL_RE.sub("", text)
    return LINK_LENGTH * len(links) + sum(_x_weight(c) for c in GRAPHEME_RE.findall(rest))


def mastodon(text: str) -> int:
    """Return Mastodon's length: graphemes, each link 23, "@a@b.c" counted as "@a"."""
    text = URL_RE.sub("x" * LINK_LENGTH, text)
    text = REMOTE_MENTION_RE.sub(r"@\1", text)
    return graphemes(text)


def count(counting: Counting, text: str) -> int:
    """Return the length of `text` counted the way `counting` says."""
    if counting == Counting.GRAPHEMES:
        return graphemes(text)
    if counting == Counting.X_WEIGHTED:
        return x_weighted(text)
    if counting == Counting.MASTODON:
        return mastodon(text)
    if counting == Counting.UTF8_BYTES:
        return len(text.encode("utf-8"))
    return len(unicodedata.normalize("NFC", text))


def hashtags(text: str) -> list[str]:
    """Return the distinct hashtags of `text`, lower-cased, in order of appearance."""
    seen: dict[str, None] = {}
    for tag in HASHTAG_RE.findall(text):
        seen.setdefault(tag.lower(), None)
    return list(seen)


def links(text: str) -> list[str]:
    """Return the links found in `text`."""
    return URL_RE.findall(text)
