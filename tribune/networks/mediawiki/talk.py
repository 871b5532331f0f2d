"""Reading signed comments out of a talk page's wikitext, and placing a reply in it.

Talk pages are free wikitext; the convention (mediawiki.org/wiki/Help:Talk_pages)
is one heading per thread, each comment ending with its author's signature
(`~~~~` expands to a link to the user's page or talk page, or to
Special:Contributions/<address> for an unregistered editor, then a time), and
replies indented with one more colon than what they answer. This parser keeps
to that convention and nothing more:

- a thread is the text under a heading (any level) down to the next heading;
- a comment is a run of lines ending on a line that holds a user link followed
  by a time (or by nothing); its author is that link's user;
- a change of indentation before a signature ends an unsigned run, which is
  left out: an unsigned comment has no author to answer;
- the time is read from English signatures ("12:39, 26 November 2026 (UTC)");
  any other language's signature leaves `signed_at` empty and the caller uses
  the revision's time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

HEADING = re.compile(r"^(={1,6})[ \t]*(.+?)[ \t]*\1[ \t]*$", re.MULTILINE)
ENGLISH_TIME = re.compile(r"(\d{1,2}):(\d{2}), (\d{1,2}) ([A-Z][a-z]+) (\d{4}) \(UTC\)")
ANY_TIME = re.compile(r"\d{1,2}:\d{2}")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
INDENT = re.compile(r"^[:*#]+")


@dataclass(frozen=True)
class Thread:
    """A heading and where its text lies: `start` just after the heading line, `end` before
    the next heading (or the end of the page). The lead before any heading has heading ""."""

    heading: str
    start: int
    end: int


@dataclass(frozen=True)
class Comment:
    thread: Thread
    author: str
    text: str
    depth: int
    signed_at: datetime | None
    # Stable while the comment is not edited: thread, author, signature time and text.
    key: str


class Signatures:
    """Finds the user a signature names, in the wiki's own namespace names."""

    def __init__(self, user: Iterable[str], user_talk: Iterable[str], special: Iterable[str]):
        def names(values: Iterable[str]) -> str:
            return "|".join(
                sorted(
                    {re.escape(v).replace(r"\ ", "[ _]") for v in values if v},
                    key=len,
                    reverse=True,
                )
            )

        self.link = re.compile(
            rf"\[\[\s*:?\s*(?:(?:{names(user_talk)}|{names(user)})\s*:\s*(?P<user>[^|\]/#]+)"
            rf"|(?:{names(special)})\s*:\s*[^|\]/]+/(?P<address>[^|\]/#]+))[^\]]*\]\]",
            re.IGNORECASE,
        )

    def author(self, line: str) -> tuple[str, int] | None:
        """Return the user whose signature ends `line`, and where that signature starts."""
        links = list(self.link.finditer(line))
        if not links:
            return None
        last = links[-1]
        tail = line[last.end() :]
        if tail.strip(" )\t") and not ANY_TIME.search(tail):
            return None  # a user named in passing, not a signature
        author = user_name(last.group("user") or last.group("address"))
        start = last.start()
        # A signature is often two links to the same user ([[User:A|A]] ([[User talk:A|talk]])).
        for link in reversed(links[:-1]):
            if user_name(link.group("user") or link.group("address")) != author:
                break
            if line[link.end() : start].strip(" (\t"):
                break
            start = link.start()
        return author, start


def user_name(raw: str) -> str:
    name = raw.replace("_", " ").strip()
    return name[:1].upper() + name[1:]


def threads(wikitext: str) -> list[Thread]:
    headings = list(HEADING.finditer(wikitext))
    found = []
    lead_end = headings[0].start() if headings else len(wikitext)
    if wikitext[:lead_end].strip():
        found.append(Thread("", 0, lead_end))
    for index, match in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(wikitext)
        found.append(Thread(match.group(2).strip(), match.end(), end))
    return found


def comments(wikitext: str, signatures: Signatures) -> list[Comment]:
    """Return the signed comments of a talk page, in page order."""
    found = []
    for thread in threads(wikitext):
        run: list[str] = []
        run_depth = 0
        for line in wikitext[thread.start : thread.end].split("\n"):
            if not line.strip():
                if run:
                    run.append(line)
                continue
            depth = len(INDENT.match(line).group()) if INDENT.match(line) else 0
            if run and depth != run_depth:
                run = []  # an unsigned comment, left out
            if not run:
                run_depth = depth
            run.append(line)
            signed = signatures.author(line)
            if signed:
                found.append(_comment(thread, run, run_depth, *signed))
                run = []
    return found


def _comment(thread: Thread, run: list[str], depth: int, author: str, cut: int) -> Comment:
    signature = run[-1][cut:]
    lines = [*run[:-1], run[-1][:cut]]
    text = "\n".join(INDENT.sub("", line).strip() for line in lines).strip()
    text = re.sub(r"\s*(--|—|–)\s*$", "", text)
    digest = hashlib.sha1(
        f"{thread.heading}\n{author}\n{signature}\n{text}".encode(), usedforsecurity=False
    ).hexdigest()
    return Comment(thread, author, text, depth, signed_time(signature), digest[:16])


def signed_time(signature: str) -> datetime | None:
    match = ENGLISH_TIME.search(signature)
    if not match or match.group(4) not in MONTHS:
        return None
    hour, minute, day, month, year = match.groups()
    try:
        return datetime(
            int(year), MONTHS.index(month) + 1, int(day), int(hour), int(minute), tzinfo=UTC
        )
    except ValueError:
        return None


def signed_reply(text: str, depth: int) -> str:
    """Return `text` indented `depth` colons on every line and signed with ~~~~."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(":" * depth + line for line in lines) + " ~~~~"


def insert_reply(wikitext: str, thread: Thread, reply: str) -> str:
    """Return the page with `reply` on its own line at the end of `thread`."""
    body = wikitext[thread.start : thread.end].rstrip()
    after = wikitext[thread.end :]
    return f"{wikitext[: thread.start]}{body}\n{reply}" + (f"\n\n{after}" if after else "")


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


@dataclass(frozen=True)
class Place:
    """Where a reply goes: under `thread` at `depth`, or in a new thread named `heading`."""

    thread: Thread | None
    heading: str
    depth: int


def place_reply(
    wikitext: str, found: list[Comment], comment_key: str, heading: str, depth: int
) -> Place:
    """Place a reply to the comment `comment_key` (one colon deeper), else in the thread named
    `heading` (one colon deeper than `depth`), else in a new thread named `heading`."""
    answered = next((c for c in found if comment_key and c.key == comment_key), None)
    if answered:
        return Place(answered.thread, answered.thread.heading, answered.depth + 1)
    thread = next((t for t in threads(wikitext) if heading and t.heading == heading), None)
    return Place(thread, heading, depth + 1 if thread else 0)


def earlier_reply(found: list[Comment], place: Place, author: str, text: str) -> Comment | None:
    """Return the same reply by the same author already in that thread (a retried reply)."""
    if place.thread is None:
        return None
    return next(
        (
            c
            for c in found
            if c.thread == place.thread and c.author == author and same_text(c.text, text)
        ),
        None,
    )
