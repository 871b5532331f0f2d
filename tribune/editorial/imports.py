"""Reading CSV files of posts: Tribune's own format and the bulk formats of Hootsuite and Buffer.

Parsing is pure (no writes): `read_rows` returns either a list of `ImportedPost`
or the complete list of `RowError`, one per bad cell, so that a file is never
half-imported. Writing happens in `actions_imports.do_import`. The formats are
described for people in docs/editorial.md, "CSV formats".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from tribune.core.row_errors import RowError
from tribune.strategy.catalog import networks as catalog_networks
from tribune.strategy.models import Objective, Persona
from tribune.workspaces.models import Workspace

from . import timezones
from .choices import PostFormat
from .models import ContentPillar

TRIBUNE, HOOTSUITE, BUFFER = "tribune", "hootsuite", "buffer"
SOURCE_FORMATS = (TRIBUNE, HOOTSUITE, BUFFER)

# Files larger than this are refused before any row is read: 20,000 rows of
# average posts fit well under it, and a request cannot pin a worker for long.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
MAX_TEXT = 20_000
TITLE_LENGTH = 80

TRIBUNE_COLUMNS = (
    "date",
    "title",
    "text",
    "networks",
    "link",
    "media_url",
    "first_comment",
    "persona",
    "pillar",
    "objectives",
    "format",
    "tags",
)
# Written by the export for reference and ignored on import.
IGNORED_COLUMNS = ("id", "state")
BUFFER_COLUMNS = ("text", "image url", "tags", "posting time", "board name")
# Names other tools and people use for a network, mapped to the catalog's keys.
NETWORK_ALIASES = {"twitter": "x", "x (twitter)": "x", "google business": "", "gbp": ""}

_url = URLValidator(schemes=["http", "https"])
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_DAY_FIRST = ("%d/%m/%Y %H:%M", "%d/%m/%y %H:%M", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M")
_MONTH_FIRST = ("%m/%d/%Y %H:%M", "%m/%d/%y %H:%M", "%m-%d-%Y %H:%M")


@dataclass(frozen=True)
class ImportedPost:
    """One valid row, ready to become a Post with one Variant per network."""

    line: int
    title: str
    body: str
    networks: tuple[str, ...]
    scheduled_at: datetime | None = None
    link: str = ""
    media_url: str = ""
    first_comment: str = ""
    persona_id: int | None = None
    pillar_id: int | None = None
    objective_ids: tuple[int, ...] = ()
    format: str = PostFormat.ORGANIC
    tags: tuple[str, ...] = ()
    # network key -> text for that network when it differs from the body.
    texts: dict[str, str] = field(default_factory=dict)
    # network key -> network options (e.g. {"board": "..."} on Pinterest).
    options: dict[str, dict] = field(default_factory=dict)


@dataclass
class Lookups:
    """The workspace's names that rows may refer to, read once per file."""

    personas: dict[str, int]
    pillars: dict[str, int]
    objectives: dict[str, int]
    networks: dict[str, str]

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> Lookups:
        alive = [n for n in catalog_networks() if n.is_alive]
        names = {n.key.lower(): n.key for n in alive} | {n.name.lower(): n.key for n in alive}
        for alias, key in NETWORK_ALIASES.items():
            if key:
                names[alias] = key
        return cls(
            personas={
                name.casefold(): pk
                for pk, name in Persona.objects.filter(workspace=workspace).values_list(
                    "pk", "name"
                )
            },
            pillars={
                name.casefold(): pk
                for pk, name in ContentPillar.objects.filter(workspace=workspace).values_list(
                    "pk", "name"
                )
            },
            objectives={
                title.casefold(): pk
                for pk, title in Objective.objects.filter(workspace=workspace).values_list(
                    "pk", "title"
                )
            },
            networks=names,
        )


@dataclass(frozen=True)
class ImportSettings:
    """What the person chose on the import form."""

    source_format: str
    networks: tuple[str, ...] = ()  # for Hootsuite and Buffer (one file per profile); default
    day_first: bool = True  # Hootsuite's date order, chosen at upload as in Hootsuite itself
    time_zone: str = "UTC"


class FileRefused(Exception):  # noqa: N818 - a verdict on the file, shown to the person
    """The file as a whole cannot be read (encoding, size, header)."""


def decode(raw: bytes) -> str:
    """Return the file's text; raise FileRefused when it is too large or not UTF-8."""
    if len(raw) > MAX_FILE_BYTES:
        raise FileRefused(_("The file is larger than 20 MB; split it into several files."))
    try:
        return raw.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from None


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number where the record starts, cells), guessing `,` `;` or tab."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(
            _("Line %(line)s cannot be read as CSV: %(error)s") % {"line": line, "error": exc}
        ) from None


def count_rows(text: str) -> int:
    """Return how many non-empty records the file holds, header included."""
    return sum(1 for _record in records(text))


def local_to_utc(value: datetime, time_zone: str) -> datetime:
    """Return the UTC time of a wall-clock time in `time_zone`.

    A time skipped by a daylight-saving change raises ValidationError; a time
    that occurs twice (the hour repeated in autumn) is read as its first
    occurrence, as docs/editorial.md says.
    """
    return timezones.to_utc(value, timezones.zone(time_zone), fold=0)


class RowReader:
    """Checks one row's cells; collects errors instead of stopping at the first."""

    def __init__(self, line: int, lookups: Lookups, settings: ImportSettings) -> None:
        self.line = line
        self.lookups = lookups
        self.settings = settings
        self.errors: list[RowError] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))

    def text(self, column: str, value: str, *, limit: int = MAX_TEXT) -> str:
        value = value.replace("\x00", "").strip()
        if value.startswith("'="):
            value = value[1:]  # the export's guard against spreadsheet formulas
        if len(value) > limit:
            self.error(
                column,
                _("At most %(limit)s characters (this one has %(actual)s).")
                % {"limit": limit, "actual": len(value)},
            )
        return value

    def url(self, column: str, value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        try:
            if len(value) > 2000:
                raise ValidationError("too long")
            _url(value)
        except ValidationError:
            self.error(
                column,
                _("“%(value)s” is not a web address (http:// or https://).")
                % {"value": value[:100]},
            )
        return value

    def when(self, column: str, value: str, formats: tuple[str, ...]) -> datetime | None:
        value = value.strip()
        if not value:
            return None
        for fmt in formats:
            try:
                local = datetime.strptime(value, fmt)
            except ValueError:
                continue
            try:
                return local_to_utc(local, self.settings.time_zone)
            except ValidationError as exc:
                self.error(column, exc.messages[0])
                return None
        examples = ", ".join(datetime(2026, 3, 31, 9, 30).strftime(f) for f in formats[:2])
        self.error(
            column,
            _("“%(value)s” is not a date and time we can read; write it like %(examples)s.")
            % {"value": value[:40], "examples": examples},
        )
        return None

    def networks(self, column: str, value: str) -> tuple[str, ...]:
        found: list[str] = []
        names = [n.strip() for n in re.split(r"[,;|]", value) if n.strip()]
        for name in names:
            key = self.lookups.networks.get(name.lower())
            if key is None:
                self.error(column, _("“%(name)s” is not a network Tribune knows.") % {"name": name})
            elif key not in found:
                found.append(key)
        if not names and not self.settings.networks:
            self.error(column, _("Name at least one network, e.g. “linkedin, bluesky”."))
        return tuple(found) or self.settings.networks

    def named(self, column: str, value: str, table: dict[str, int], what: str) -> int | None:
        value = value.strip()
        if not value:
            return None
        pk = table.get(value.casefold())
        if pk is None:
            self.error(
                column,
                _("No %(what)s is named “%(name)s” in this workspace.")
                % {"what": what, "name": value[:80]},
            )
        return pk

    def post_format(self, column: str, value: str) -> str:
        value = value.strip().casefold()
        if not value:
            return PostFormat.ORGANIC
        for key, label in PostFormat.choices:
            if value in {key, str(label).casefold()}:
                return key
        self.error(
            column,
            _("“%(value)s” is not a format; use one of: %(formats)s.")
            % {"value": value[:40], "formats": ", ".join(PostFormat.values)},
        )
        return PostFormat.ORGANIC


def title_from(body: str) -> str:
    """Return a short title: the body's first line, cut at TITLE_LENGTH characters."""
    first = body.strip().split("\n", 1)[0].strip() or _("Imported post")
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1].rstrip() + "…"


def split_list(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in re.split(r"[,|]", value) if v.strip()))


ProgressCallback = Callable[[int], None]


def read_rows(
    text: str,
    workspace: Workspace,
    settings: ImportSettings,
    progress: ProgressCallback | None = None,
) -> tuple[list[ImportedPost], list[RowError]]:
    """Return (posts, errors) for the whole file; `posts` is only usable when `errors` is empty.

    `progress(rows_checked)` is called every 500 rows so a background job can report it.
    """
    lookups = Lookups.for_workspace(workspace)
    reader = {TRIBUNE: _tribune_rows, HOOTSUITE: _hootsuite_rows, BUFFER: _buffer_rows}[
        settings.source_format
    ]
    posts: list[ImportedPost] = []
    errors: list[RowError] = []
    if settings.source_format != TRIBUNE and not settings.networks:
        errors.append(RowError(1, "networks", _("Choose the networks this file is for.")))
    rows = reader(records(text), lookups, settings, errors)
    for checked, (post, row_errors) in enumerate(rows, start=1):
        if checked > MAX_ROWS:
            errors.append(
                RowError(post.line, "", _("A file may hold at most 20,000 rows; split it."))
            )
            break
        if row_errors:
            errors.extend(row_errors)
        elif not errors:
            posts.append(post)
        if progress is not None and checked % 500 == 0:
            progress(checked)
    if not posts and not errors:
        errors.append(RowError(1, "", _("The file has no rows to import.")))
    return (posts if not errors else []), errors


RowIterator = Iterator[tuple[ImportedPost, list[RowError]]]


def _header(cells: list[str]) -> list[str]:
    return [c.strip().casefold() for c in cells]


def _tribune_rows(
    rows: Iterator[tuple[int, list[str]]],
    lookups: Lookups,
    settings: ImportSettings,
    errors: list[RowError],
) -> RowIterator:
    first = next(rows, None)
    if first is None:
        return
    header = _header(first[1])
    per_network = {c: c.split(":", 1)[1].strip() for c in header if c.startswith("text:")}
    unknown = [
        c
        for c in header
        if c not in TRIBUNE_COLUMNS and c not in IGNORED_COLUMNS and c not in per_network
    ]
    for name in unknown:
        errors.append(RowError(1, name, _("Unknown column; see the CSV formats in the docs.")))
    if "text" not in header and not per_network:
        errors.append(RowError(1, "text", _("The header needs a “text” column.")))
    for column, name in per_network.items():
        if lookups.networks.get(name) is None:
            errors.append(RowError(1, column, _("“%(name)s” is not a network.") % {"name": name}))
    if unknown or any(e.line == 1 for e in errors):
        return
    for line, cells in rows:
        row = dict(zip(header, cells, strict=False))
        check = RowReader(line, lookups, settings)
        body = check.text("text", row.get("text", ""))
        texts = {
            lookups.networks[name]: check.text(column, row.get(column, ""))
            for column, name in per_network.items()
            if row.get(column, "").strip()
        }
        if not body and not texts:
            check.error("text", _("The text is empty."))
        networks = check.networks("networks", row.get("networks", ""))
        title = check.text("title", row.get("title", ""), limit=200)
        yield (
            ImportedPost(
                line=line,
                title=title or title_from(body or next(iter(texts.values()), "")),
                body=body,
                networks=networks,
                scheduled_at=check.when("date", row.get("date", ""), _LOCAL_FORMATS),
                link=check.url("link", row.get("link", "")),
                media_url=check.url("media_url", row.get("media_url", "")),
                first_comment=check.text("first_comment", row.get("first_comment", "")),
                persona_id=check.named(
                    "persona", row.get("persona", ""), lookups.personas, _("persona")
                ),
                pillar_id=check.named(
                    "pillar", row.get("pillar", ""), lookups.pillars, _("content pillar")
                ),
                objective_ids=tuple(
                    pk
                    for title in split_list(row.get("objectives", ""))
                    if (pk := check.named("objectives", title, lookups.objectives, _("objective")))
                ),
                format=check.post_format("format", row.get("format", "")),
                tags=split_list(row.get("tags", "")),
                texts={k: v for k, v in texts.items() if k in networks},
            ),
            check.errors,
        )


def _hootsuite_rows(
    rows: Iterator[tuple[int, list[str]]],
    lookups: Lookups,
    settings: ImportSettings,
    errors: list[RowError],
) -> RowIterator:
    # Columns by position, no header: date and time, message, link, media URL.
    formats = (_DAY_FIRST if settings.day_first else _MONTH_FIRST) + _LOCAL_FORMATS
    for line, cells in rows:
        cells = [*cells, "", "", "", ""]
        if line == 1 and cells[0].strip().casefold() in {"date", "date and time", "datetime"}:
            continue  # a header row some people add; Hootsuite's sample has none
        check = RowReader(line, lookups, settings)
        when = check.when(_("column A (date)"), cells[0], formats)
        if not cells[0].strip():
            check.error(_("column A (date)"), _("Hootsuite rows need a date and time."))
        body = check.text(_("column B (message)"), cells[1])
        if not body:
            check.error(_("column B (message)"), _("The message is empty."))
        yield (
            ImportedPost(
                line=line,
                title=title_from(body),
                body=body,
                networks=settings.networks,
                scheduled_at=when,
                link=check.url(_("column C (link)"), cells[2]),
                media_url=check.url(_("column D (media URL)"), cells[3]),
            ),
            check.errors,
        )


def _buffer_rows(
    rows: Iterator[tuple[int, list[str]]],
    lookups: Lookups,
    settings: ImportSettings,
    errors: list[RowError],
) -> RowIterator:
    first = next(rows, None)
    if first is None:
        return
    header = _header(first[1])
    if "text" not in header and "image url" not in header:
        errors.append(
            RowError(
                1,
                "Text",
                _("Buffer files start with the header: Text, Image URL, Tags, Posting Time."),
            )
        )
        return
    for line, cells in rows:
        row = dict(zip(header, cells, strict=False))
        check = RowReader(line, lookups, settings)
        body = check.text("Text", row.get("text", ""))
        image = check.url("Image URL", row.get("image url", ""))
        if not body and not image:
            check.error("Text", _("Buffer rows need a text or an image URL."))
        board = row.get("board name", "").strip()
        yield (
            ImportedPost(
                line=line,
                title=title_from(body),
                body=body,
                networks=settings.networks,
                scheduled_at=check.when(
                    "Posting Time", row.get("posting time", ""), _LOCAL_FORMATS
                ),
                media_url=image,
                tags=split_list(row.get("tags", "")),
                options={"pinterest": {"board": board[:200]}} if board else {},
            ),
            check.errors,
        )
