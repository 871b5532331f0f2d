"""The record key a publication's post gets, derived from its idempotency key alone.

Why a derived key: `com.atproto.repo.createRecord` takes an explicit `rkey`, and
a repository holds one record per key, so a second create with the same key
cannot make a second post (the PDS refuses it; the connector then reads the
first one back). A retry after an unknown outcome is therefore safe for ever,
and `find_published` is one `getRecord` of the same key.

Why it is a TID: the app.bsky.feed.post lexicon declares `"key": "tid"`, and
the PDS checks a given record key against that (a key like "tribune-<uuid>" is
refused: "Invalid TID string"). A TID is 64 bits written as 13 characters of
base32-sortable: the top bit 0, 53 bits of microseconds since 1970, 10 bits of
"clock identifier" (https://atproto.com/specs/tid).

Why its time is not the time of posting: the connector has nothing that stays
the same across attempts except the idempotency key (find_published gets only
the key and a `since`), so both parts come from a SHA-256 of the key. The
atproto spec says a TID record key "could have any value" and must not be
trusted as a creation time; Bluesky orders posts by their `createdAt` and
indexing time, not by record key. To keep the key looking like an ordinary TID,
its time falls in a fixed window of about 407 days from 2024-01-01 (45 bits),
and 10 more bits fill the clock identifier: 55 bits in all, so two keys of one
account collide with odds of about one in seven million after 100,000 posts.
"""

from __future__ import annotations

import hashlib

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# 2024-01-01T00:00:00Z in microseconds.
WINDOW_START_US = 1_704_067_200_000_000
WINDOW_BITS = 45
CLOCK_BITS = 10


def record_key(idempotency_key: str) -> str:
    """Return the TID that the post published under `idempotency_key` gets (13 characters)."""
    digest = hashlib.sha256(f"tribune/bluesky/{idempotency_key}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    micros = WINDOW_START_US + (number >> (64 - WINDOW_BITS))
    clock = number & ((1 << CLOCK_BITS) - 1)
    return encode_tid(micros, clock)


def encode_tid(micros: int, clock: int) -> str:
    """Write a TID: 53 bits of microseconds then 10 bits of clock id, 5 bits a character."""
    if not 0 <= micros < 1 << 53 or not 0 <= clock < 1 << CLOCK_BITS:
        raise ValueError("a TID holds 53 bits of time and 10 bits of clock")
    value = (micros << CLOCK_BITS) | clock
    return "".join(ALPHABET[(value >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def decode_tid(tid: str) -> tuple[int, int]:
    """Return (microseconds, clock id) of a TID; ValueError when it is not one."""
    if len(tid) != 13 or any(c not in ALPHABET for c in tid) or tid[0] not in ALPHABET[:16]:
        raise ValueError(f"not a TID: {tid!r}")
    value = 0
    for char in tid:
        value = (value << 5) | ALPHABET.index(char)
    return value >> CLOCK_BITS, value & ((1 << CLOCK_BITS) - 1)
