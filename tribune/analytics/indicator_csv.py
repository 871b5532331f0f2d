"""Files of business figures: Tribune's own CSV, a Google Analytics 4 export, a Plausible export.

Reading is pure: `read_figures` returns the valid rows as `Figure`s and every
bad cell as a `RowError`; the action writes only when there is no error at
all, so a file is never half-imported. Each row is checked by the same rules
as a figure entered by hand (forms_indicators.read_figure).

Formats (described for people in docs/analytics.md, "Business indicators"):
- Tribune: `date,indicator,value[,objective][,note]`;
- a Google Analytics 4 report downloaded as CSV, with the Date dimension;
- Plausible's dashboard export (a zip of CSVs) or its `visitors.csv` alone.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from tribune.core.row_errors import RowError
from tribune.strategy.choices import Kpi

from .forms_indicators import MAX_UPLOAD_BYTES, Figure, Lookups, read_figure
from .models import IndicatorSource

TRIBUNE, GA4, PLAUSIBLE = "tribune", "ga4", "plausible"
FORMATS = (TRIBUNE, GA4, PLAUSIBLE)
SOURCES = {
    TRIBUNE: IndicatorSource.CSV,
    GA4: IndicatorSource.GA4,
    PLAUSIBLE: IndicatorSource.PLAUSIBLE,
}

# Column names as Google Analytics 4 writes them (English interface). "Users" is
# what GA4's standard reports call active users.
GA4_METRICS = {
    "sessions": ("sessions",),
    "active_users": ("active users", "users"),
    "views": ("views",),
}
PLAUSIBLE_METRICS = ("visitors", "pageviews", "visits")

# A day per row for 50 years is 18,000 rows: these limits never stop a real file.
MAX_FILE_BYTES = MAX_UPLOAD_BYTES
MAX_ROWS = 20_000
MAX_ERRORS = 200
MAX_ZIP_MEMBERS = 200

TRIBUNE_COLUMNS = ("date", "indicator", "value", "objective", "note")
TRIBUNE_REQUIRED = ("date", "indicator", "value")
TOTAL_ROWS = frozenset({"total", "totals", "grand total"})

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_GA4_DAY = re.compile(r"[0-9]{8}")
_PLAUSIBLE_MEMBER = re.compile(r"(imported_)?visitors(_[0-9]{8}_[0-9]{8})?\.csv")


class FileRefused(Exception):  # noqa: N818 - a verdict on the whole file, shown to the person
    """The file cannot be read at all (size, encoding, archive, missing columns)."""


# ---- whole files ----


@dataclass(frozen=True)
class ImportSettings:
    """What the person chose on the import form."""

    fmt: str = TRIBUNE
    ga4_metric: str = "sessions"
    plausible_metric: str = "visitors"


@dataclass
class FileReading:
    """The outcome of reading a file: `figures` is only usable when `errors` is empty."""

    figures: list[Figure] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Rows of an analytics export with an empty cell for the chosen metric.
    skipped: int = 0
    # For a zip: the name of the CSV read inside it.
    member: str = ""

    def error(self, line: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, column, message))
        elif len(self.errors) == MAX_ERRORS:
            # Past this many, the file is wrong as a whole: more lines would not help.
            self.errors.append(RowError(0, "", _("More errors follow; fix these first.")))

    def add(self, figure: Figure, line: int, column: str, seen: dict) -> None:
        """Keep a valid figure, unless the file already gave one for the same day."""
        first = seen.setdefault(figure.key, line)
        if first != line:
            self.error(
                line,
                column,
                _("Line %(first)s already gives this indicator for this day.") % {"first": first},
            )
        elif not self.errors:
            self.figures.append(figure)


def read_figures(raw: bytes, settings: ImportSettings, lookups: Lookups) -> FileReading:
    """Read a whole file in the chosen format; raise FileRefused when it cannot be read."""
    if not raw:
        raise FileRefused(_("The file is empty."))
    if len(raw) > MAX_FILE_BYTES:
        raise FileRefused(_("The file is larger than 5 MB; split it into several files."))
    member = ""
    if raw.startswith(b"PK\x03\x04"):
        if settings.fmt != PLAUSIBLE:
            raise FileRefused(
                _("This is a zip archive. Only a Plausible export is one: choose that format.")
            )
        member, raw = _plausible_member(raw)
    text = decode(raw)
    reader = {TRIBUNE: _tribune, GA4: _ga4, PLAUSIBLE: _plausible}[settings.fmt]
    reading = FileReading(member=member)
    reader(records(text), settings, lookups, reading)
    if not reading.figures and not reading.errors:
        reading.error(0, "", _("The file has no figures to import."))
    if reading.errors:
        reading.figures = []
    return reading


def decode(raw: bytes) -> str:
    """Return the file's text (UTF-8 with or without a byte-order mark, or UTF-16 with one)."""
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = raw.decode("utf-16")
        else:
            text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from None
    if "\x00" in text:
        raise FileRefused(_("The file is not a CSV text file."))
    return text


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the record starts, cells), guessing `,`, `;` or tab from the header."""
    header = next(
        (line for line in text.splitlines() if line.strip() and not line.startswith("#")), ""
    )
    delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                yield line, cells
            line = reader.line_num + 1
    except csv.Error as error:
        raise FileRefused(
            _("Line %(line)s cannot be read as CSV: %(error)s") % {"line": line, "error": error}
        ) from None


def _too_many_rows(reading: FileReading, line: int, count: int) -> bool:
    if count <= MAX_ROWS:
        return False
    reading.error(line, "", _("A file may hold at most 20,000 rows; split it."))
    return True


def _tribune(
    rows: Iterator[tuple[int, list[str]]],
    settings: ImportSettings,
    lookups: Lookups,
    reading: FileReading,
) -> None:
    first = next(rows, None)
    if first is None:
        return
    header = [c.strip().casefold() for c in first[1]]
    for name in header:
        if name not in TRIBUNE_COLUMNS:
            reading.error(
                1,
                name,
                _("Unknown column; the columns are date, indicator, value, objective and note."),
            )
        elif header.count(name) > 1:
            reading.error(1, name, _("This column appears twice."))
    for name in TRIBUNE_REQUIRED:
        if name not in header:
            reading.error(1, name, _("The first line needs a “%(name)s” column.") % {"name": name})
    if reading.errors:
        return
    seen: dict = {}
    for count, (line, cells) in enumerate(rows, start=1):
        if _too_many_rows(reading, line, count):
            return
        if len(cells) > len(header):
            reading.error(
                line,
                "",
                _(
                    "This line has %(cells)s cells for %(columns)s columns: put a value or note "
                    "that contains the separator between double quotes."
                )
                % {"cells": len(cells), "columns": len(header)},
            )
            continue
        figure, errors = read_figure(dict(zip(header, cells, strict=False)), lookups)
        for column, message in errors.items():
            reading.error(line, column, message)
        if figure is not None:
            reading.add(replace(figure, line=line), line, "date", seen)


def _ga4(
    rows: Iterator[tuple[int, list[str]]],
    settings: ImportSettings,
    lookups: Lookups,
    reading: FileReading,
) -> None:
    """Read the first table of the export that has a Date column.

    A GA4 download starts with lines beginning with `#` (report name, property,
    date range); a file may hold several tables, each after its own `#` lines.
    """
    names = GA4_METRICS[settings.ga4_metric]
    header: list[str] | None = None
    columns: tuple[int, int] | None = None
    seen: dict = {}
    count = 0
    for line, cells in rows:
        if cells[0].lstrip().startswith("#"):
            if columns is not None:
                break  # the table we read has ended
            header = None
            continue
        if header is None:
            header = [c.strip() for c in cells]
            lowered = [c.casefold() for c in header]
            if "date" in lowered:
                metric = next((lowered.index(n) for n in names if n in lowered), None)
                if metric is None:
                    raise FileRefused(
                        _("The table has no “%(metric)s” column (it has: %(columns)s).")
                        % {"metric": names[0].capitalize(), "columns": ", ".join(header)[:300]}
                    )
                columns = (lowered.index("date"), metric)
            continue
        if columns is None:
            continue  # another table, without dates
        count += 1
        if _too_many_rows(reading, line, count):
            return
        _ga4_row(line, cells, columns, header, lookups, reading, seen)
    if columns is None:
        raise FileRefused(
            _(
                "No table with a “Date” column was found. In Google Analytics, add the Date "
                "dimension to the report, then download it again as CSV."
            )
        )


def _ga4_row(
    line: int,
    cells: list[str],
    columns: tuple[int, int],
    header: list[str],
    lookups: Lookups,
    reading: FileReading,
    seen: dict,
) -> None:
    day_at, metric_at = columns
    day = cells[day_at].strip() if day_at < len(cells) else ""
    value = cells[metric_at].strip() if metric_at < len(cells) else ""
    if not day or day.casefold() in TOTAL_ROWS:
        return
    if not value:
        reading.skipped += 1
        return
    if not _GA4_DAY.fullmatch(day):
        reading.error(
            line,
            header[day_at],
            _("“%(value)s” is not a day; Google Analytics writes days as YYYYMMDD (20261031).")
            % {"value": day[:40]},
        )
        return
    iso = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    _metric_row(line, iso, value, header[day_at], header[metric_at], lookups, reading, seen)


def _metric_row(
    line: int,
    iso: str,
    value: str,
    day_column: str,
    value_column: str,
    lookups: Lookups,
    reading: FileReading,
    seen: dict,
) -> None:
    """Check one day of an analytics export as a site-traffic figure."""
    cells = {"date": iso, "indicator": Kpi.SITE_TRAFFIC, "value": value}
    figure, errors = read_figure(cells, lookups)
    named = {"date": day_column, "value": value_column}
    for column, message in errors.items():
        reading.error(line, named.get(column, column), message)
    if figure is not None:
        before = seen.get(figure.key)
        if before is not None and before != line:
            reading.error(
                line,
                day_column,
                _(
                    "Line %(first)s is for the same day: export a report with one row per "
                    "day (Date as its only dimension)."
                )
                % {"first": before},
            )
            return
        reading.add(replace(figure, line=line), line, day_column, seen)


def _plausible(
    rows: Iterator[tuple[int, list[str]]],
    settings: ImportSettings,
    lookups: Lookups,
    reading: FileReading,
) -> None:
    first = next(rows, None)
    if first is None:
        return
    header = [c.strip().casefold() for c in first[1]]
    if "unique_conversions" in header:
        raise FileRefused(
            _("This export is filtered on a goal. Export the dashboard without a goal filter.")
        )
    if "date" not in header or settings.plausible_metric not in header:
        raise FileRefused(
            _("This is not Plausible's visitors.csv: its first line must name the columns %(c)s.")
            % {"c": "date, " + ", ".join(PLAUSIBLE_METRICS)}
        )
    day_at, metric_at = header.index("date"), header.index(settings.plausible_metric)
    seen: dict = {}
    for count, (line, cells) in enumerate(rows, start=1):
        if _too_many_rows(reading, line, count):
            return
        day = cells[day_at].strip() if day_at < len(cells) else ""
        value = cells[metric_at].strip() if metric_at < len(cells) else ""
        if not value or value == r"\N":
            reading.skipped += 1
            continue
        if len(day) > 10 and _ISO_DAY.fullmatch(day[:10]):
            raise FileRefused(
                _("This export has one row per hour. Choose several days and export again.")
            )
        _metric_row(line, day, value, "date", settings.plausible_metric, lookups, reading, seen)
    _check_daily(reading)


def _check_daily(reading: FileReading) -> None:
    """Refuse weekly or monthly rows, which look like days but hold a longer period's total."""
    if reading.errors:
        return
    days = sorted(f.day for f in reading.figures)
    if len(days) > 1 and all((b - a).days > 1 for a, b in zip(days, days[1:], strict=False)):
        raise FileRefused(
            _(
                "The rows are not one per day (weeks or months?). On the Plausible dashboard, "
                "set the graph's interval to days, then export again."
            )
        )


def _plausible_member(raw: bytes) -> tuple[str, bytes]:
    """Return the name and bytes of the visitors CSV inside a Plausible zip export."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise FileRefused(_("The archive holds too many files to be a Plausible export."))
            found = [m for m in members if _PLAUSIBLE_MEMBER.fullmatch(m.filename.rsplit("/")[-1])]
            if not found:
                raise FileRefused(
                    _("The archive has no visitors.csv: is it a Plausible dashboard export?")
                )
            member = found[0]
            if member.file_size > MAX_FILE_BYTES:
                raise FileRefused(_("visitors.csv is larger than 5 MB."))
            with archive.open(member) as handle:
                # The size in the archive's index may lie: read no more than the limit.
                content = handle.read(MAX_FILE_BYTES + 1)
            if len(content) > MAX_FILE_BYTES:
                raise FileRefused(_("visitors.csv is larger than 5 MB."))
            return member.filename, content
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 - any damage in an uploaded archive means the same to us
        # zipfile raises BadZipFile, zlib.error, EOFError, struct.error, RuntimeError
        # (encrypted), NotImplementedError (unknown compression) on damaged input.
        raise FileRefused(_("The zip archive is damaged or cannot be opened.")) from None
