"""The figures of a dashboard as one shape: a Table that renders as HTML, feeds its
charts, and downloads as CSV, so the three can never disagree.

CSV files open in a spreadsheet as they are: UTF-8 with a byte-order mark (Excel
reads the accents right), a header row, ISO dates, a dot as decimal separator.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Link:
    """A cell that is a link on the page; the CSV holds `csv` (the text by default)."""

    text: str
    href: str
    external: bool = False
    csv: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Badge:
    """A status shown as a coloured label (tone: a .badge class); the CSV holds its text."""

    text: str
    tone: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass
class Chart:
    """What charts.js draws: labels along the axis, one series per dataset."""

    kind: str  # "line" or "bar"
    title: str
    labels: list[str]
    datasets: list[dict]
    percent: bool = False

    def spec(self, table_hint: str) -> dict:
        return {
            "type": self.kind,
            "title": self.title,
            "labels": self.labels,
            "datasets": self.datasets,
            "percent": self.percent,
            "hint": table_hint,
        }


@dataclass
class Table:
    """A figure of a dashboard: its rows, the charts drawn from them, their definitions."""

    slug: str
    caption: str
    columns: list[Column]
    rows: list[list[Any]]
    charts: list[Chart] = field(default_factory=list)
    # (name, definition) pairs shown beside the figure.
    definitions: list[tuple[str, str]] = field(default_factory=list)
    csv_url: str = ""

    def chart_specs(self) -> list[dict]:
        """Return each chart's element id and the JSON charts.js reads from it."""
        hint = _("The figures are in the table below the chart.")
        return [
            {"id": f"chart-{self.slug}-{n}", "spec": chart.spec(hint)}
            for n, chart in enumerate(self.charts, start=1)
        ]

    def html_rows(self) -> list[list[dict]]:
        """Return each cell ready for the template: its text, link and alignment."""
        return [
            [
                {
                    "text": display(value),
                    "href": value.href if isinstance(value, Link) else "",
                    "external": isinstance(value, Link) and value.external,
                    "badge": value.tone or "plain" if isinstance(value, Badge) else "",
                    "numeric": column.numeric,
                }
                for column, value in zip(self.columns, row, strict=True)
            ]
            for row in self.rows
        ]


def display(value: Any) -> str:
    """Return a cell's text in the page's language (numbers grouped, dates localised)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return formats.localize(value)
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=2 if value % 1 else 0, force_grouping=True)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Link):
        value = value.csv if value.csv is not None else value.text
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
    text = str(value)
    # A leading quote makes a spreadsheet show the text instead of running it.
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(table: Table) -> str:
    """Return the table as CSV text, byte-order mark first."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(c.label) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_value(v) for v in row])
    return buffer.getvalue()


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(csv_text(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
