"""How the calendar checks decide that two posts repeat each other.

Links: two links are the same when their normalised forms are equal
(`normalise_url`): scheme, `www.`, default port, fragment, trailing slash,
query order and every `utm_*` parameter are ignored.

Texts: two texts are near-identical when the Jaccard similarity of their word
sets is at least 0.9 (`SIMILARITY`), that is, when the words they share are at
least nine tenths of all the words either uses. Words are case-folded runs of
letters and digits; links are left out (they are compared on their own). A
one-word change in a text of twenty words or more stays a duplicate; two
changed words in a text of ten do not.

Candidate pairs come from a prefix filter (Bayardo, Ma and Srikant, "Scaling
up all pairs similarity search", WWW 2007): with the words of every set sorted
by rarity, two sets whose similarity reaches t share at least one word among
the first |s| - ceil(t·|s|) + 1 of each. Only those pairs are compared, so the
cost grows with the number of real look-alikes, not with the square of the
number of posts.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from fractions import Fraction
from urllib.parse import parse_qsl, urlencode, urlsplit

SIMILARITY = Fraction(9, 10)

URL_RE = re.compile(r"https?://[^\s<>\"'«»]+", re.IGNORECASE)
WORD_RE = re.compile(r"\w+")
# Punctuation that ends a sentence is not part of a link typed in a text.
TRAILING = ".,;:!?)]}"


def normalise_url(url: str) -> str:
    """Return the form of `url` used to compare links; "" for something that is no link."""
    scheme, sep, rest = url.strip().partition("://")
    if sep and scheme.lower() in ("http", "https") and not any(c in rest for c in "?#@:[%"):
        # The common case, a plain link: no query, port, credentials or escapes.
        host, slash, path = rest.partition("/")
        host = host.lower().removeprefix("www.")
        return host + (slash + path).rstrip("/") if host else ""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return ""
    scheme = parts.scheme.lower()
    if port and (scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    )
    return host + path + ("?" + urlencode(query) if query else "")


def links_of(link: str, text: str) -> set[str]:
    """Return the normalised links of a variant: its link field and any link in its text."""
    found = {normalise_url(link)} if link else set()
    if "://" in text:
        found.update(normalise_url(u.rstrip(TRAILING)) for u in URL_RE.findall(text))
    found.discard("")
    return found


def words_of(text: str) -> frozenset[str]:
    """Return the set of case-folded words of `text`, links left out."""
    if "://" in text:
        text = URL_RE.sub(" ", text)
    return frozenset(WORD_RE.findall(text.casefold()))


def similarity(a: frozenset[str], b: frozenset[str]) -> Fraction:
    """Return the Jaccard similarity of two word sets (0 when both are empty)."""
    union = len(a | b)
    return Fraction(len(a & b), union) if union else Fraction(0)


def is_similar(a: frozenset[str], b: frozenset[str], threshold: Fraction = SIMILARITY) -> bool:
    union = len(a | b)
    return bool(union) and len(a & b) * threshold.denominator >= threshold.numerator * union


def similar_pairs(
    sets: Sequence[frozenset[str]],
    may_pair: Callable[[int, int], bool],
    threshold: Fraction = SIMILARITY,
) -> list[tuple[int, int]]:
    """Return the pairs (i, j), i < j, of sets at least `threshold` similar.

    `may_pair(i, j)` is asked first, so that callers can rule pairs out cheaply
    (too far apart in time); only the pairs it accepts are compared.
    """
    frequency: Counter[str] = Counter()
    for words in sets:
        frequency.update(words)
    num, den = threshold.numerator, threshold.denominator
    index: dict[str, list[int]] = defaultdict(list)
    pairs: list[tuple[int, int]] = []
    for j, words in enumerate(sets):
        size = len(words)
        if not size:
            continue
        prefix = size - (-(-num * size // den)) + 1
        seen: set[int] = set()
        for word in sorted(words, key=lambda w: (frequency[w], w))[:prefix]:
            bucket = index[word]
            for i in bucket:
                if i in seen:
                    continue
                seen.add(i)
                if may_pair(i, j) and is_similar(sets[i], words, threshold):
                    pairs.append((i, j))
            bucket.append(j)
    return pairs
