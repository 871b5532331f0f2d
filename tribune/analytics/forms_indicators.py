"""One business figure as people and programs give it, and the forms of the indicators pages.

The rules for one figure (which indicator, which day, which value, which
objective) are written once here and used by the page's form, the API, the
webhook and every CSV format alike (indicator_csv.py): text is parsed by
`parse_*`, then the typed figure is checked by `check_figure`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.editorial.timezones import zone
from tribune.strategy.choices import Kpi
from tribune.strategy.models import Objective
from tribune.workspaces.models import Workspace

from .models import BUSINESS_KPIS

FIRST_DAY = date(2000, 1, 1)
NOTE_LENGTH = 300
# IndicatorValue.value is DecimalField(max_digits=16, decimal_places=2): 14 digits before the point.
WHOLE_DIGITS = 14
COLUMNS = ("date", "indicator", "value", "objective", "note")
# The import's limit (indicator_csv.MAX_FILE_BYTES), checked before the file is read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

_NUMBER = re.compile(r"([+-]?)([0-9]+)(?:[.,]([0-9]+))?")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_GROUPING_SPACES = str.maketrans("", "", " \u00a0\u202f")


@dataclass(frozen=True)
class Figure:
    """One valid business figure; `line` is where it came from in a file (0 otherwise)."""

    kpi: str
    day: date
    value: Decimal
    objective_id: int | None = None
    note: str = ""
    line: int = 0

    @property
    def key(self) -> tuple[str, int | None, date]:
        return (self.kpi, self.objective_id, self.day)


@dataclass(frozen=True)
class Lookups:
    """What a figure may refer to in a workspace, read once per file or request."""

    # Objectives measured by a custom indicator: id -> title.
    objectives: dict[int, str]
    # The workspace's today: a figure for a later day is refused.
    today: date

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> Lookups:
        custom = Objective.objects.filter(workspace=workspace, kpi=Kpi.CUSTOM)
        return cls(
            objectives=dict(custom.values_list("pk", "title")),
            today=timezone.localtime(timezone.now(), zone(workspace.time_zone)).date(),
        )

    def objective(self, text: str) -> int:
        """Return the id of the custom objective named by its id or title; ValidationError."""
        text = text.strip()
        if text.isascii() and text.isdigit() and int(text) in self.objectives:
            return int(text)
        matches = [
            pk for pk, title in self.objectives.items() if title.casefold() == text.casefold()
        ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(
                _("Several objectives are titled “%(name)s”; give the objective's id.")
                % {"name": text[:80]}
            )
        raise ValidationError(
            _("No objective measured by a custom indicator is “%(name)s” in this workspace.")
            % {"name": text[:80]}
        )


# ---- one figure ----


def parse_indicator(text: str) -> str:
    """Return the KPI key of a business indicator named by its key or its label."""
    wanted = text.strip().casefold()
    for kpi in BUSINESS_KPIS:
        if wanted in {kpi.value, str(kpi.label).casefold()}:
            return kpi.value
    raise ValidationError(
        _("“%(value)s” is not a business indicator; use one of: %(keys)s.")
        % {"value": text.strip()[:60], "keys": ", ".join(k.value for k in BUSINESS_KPIS)}
    )


def parse_day(text: str) -> date:
    """Return the day written as YYYY-MM-DD."""
    text = text.strip()
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError(text)
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD (2026-03-31).")
            % {"value": text[:40]}
        ) from None


def parse_value(text: str) -> Decimal:
    """Return the number written with `.` or `,` before at most two decimals.

    Spaces may group thousands; a comma or point may not, since "1,250" would
    then be read as either 1.25 or 1250 depending on who wrote it.
    """
    cleaned = text.strip().translate(_GROUPING_SPACES)
    if not cleaned:
        raise ValidationError(_("Give a value."))
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise ValidationError(
            _("“%(value)s” is not a number; write it like 1250 or 1250.50.")
            % {"value": text.strip()[:40]}
        )
    sign, whole, decimals = match.groups()
    if decimals and len(decimals) > 2:
        raise ValidationError(
            _(
                "“%(value)s” has more than two decimals. Write numbers without a thousands "
                "separator: 1250, not 1,250."
            )
            % {"value": text.strip()[:40]}
        )
    if len(whole.lstrip("0")) > WHOLE_DIGITS:
        raise ValidationError(_("This number is too large (at most 14 digits before the point)."))
    return Decimal(f"{sign}{whole}.{decimals or '0'}")


def _indicator_rule(kpi: str, objective_id: int | None, lookups: Lookups) -> str | None:
    if kpi not in {k.value for k in BUSINESS_KPIS}:
        return _("This indicator is measured by the networks, not entered.")
    if kpi == Kpi.CUSTOM and objective_id is None:
        return _("A custom indicator names its objective (id or title).")
    if kpi == Kpi.CUSTOM and objective_id not in lookups.objectives:
        return _("This objective is not measured by a custom indicator.")
    if kpi != Kpi.CUSTOM and objective_id is not None:
        return _("Only a custom indicator names an objective; leave it empty.")
    return None


def _day_rule(day: date, lookups: Lookups) -> str | None:
    if day < FIRST_DAY:
        return _("Figures start on 1 January 2000.")
    if day > lookups.today:
        return _("%(day)s has not happened yet in the workspace's time zone.") % {
            "day": day.isoformat()
        }
    return None


def _value_rule(value: Decimal, kpi: str | None) -> str | None:
    if value < 0 and kpi != Kpi.CUSTOM:
        return _("This indicator cannot be negative.")
    if abs(value) >= Decimal(10) ** WHOLE_DIGITS:
        return _("This number is too large (at most 14 digits before the point).")
    return None


def _note_rule(note: str) -> str | None:
    if _UNSTORABLE.search(note):
        return _("The note contains characters that cannot be stored.")
    if len(note) > NOTE_LENGTH:
        return _("A note has at most 300 characters (this one has %(n)s).") % {"n": len(note)}
    return None


def check_figure(
    kpi: str,
    day: date,
    value: Decimal,
    objective_id: int | None,
    note: str,
    lookups: Lookups,
) -> dict[str, str]:
    """Return {column: message} for each rule the typed figure breaks (empty when valid)."""
    found = {
        # An objective is only wrong in the light of the indicator: the message goes there.
        "objective": _indicator_rule(kpi, objective_id, lookups),
        "date": _day_rule(day, lookups),
        "value": _value_rule(value, kpi),
        "note": _note_rule(note),
    }
    if found["objective"] and kpi not in {k.value for k in BUSINESS_KPIS}:
        found["indicator"] = found.pop("objective")
    return {column: message for column, message in found.items() if message}


def read_figure(cells: Mapping[str, str], lookups: Lookups) -> tuple[Figure | None, dict[str, str]]:
    """Check one figure given as text; return (figure, {}) or (None, {column: message}).

    `cells` has the columns date, indicator, value and optionally objective and
    note. Every cell is checked, so all of a row's mistakes are reported at once.
    """
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    readers = {"indicator": parse_indicator, "date": parse_day, "value": parse_value}
    for column, parse in readers.items():
        try:
            parsed[column] = parse(cells.get(column) or "")
        except ValidationError as error:
            errors[column] = error.messages[0]
    objective_id = None
    objective_text = (cells.get("objective") or "").strip()
    if objective_text:
        try:
            objective_id = lookups.objective(objective_text)
        except ValidationError as error:
            errors["objective"] = error.messages[0]
    kpi = parsed.get("indicator")
    note = (cells.get("note") or "").strip()
    rules = {
        "objective": _indicator_rule(kpi, objective_id, lookups) if kpi else None,
        "date": _day_rule(parsed["date"], lookups) if "date" in parsed else None,
        "value": _value_rule(parsed["value"], kpi) if "value" in parsed else None,
        "note": _note_rule(note),
    }
    for column, message in rules.items():
        # A cell that could not be read keeps its own message, not a second one.
        if message and column not in errors:
            errors[column] = message
    if errors:
        return None, errors
    figure = Figure(
        kpi=kpi,
        day=parsed["date"],
        value=parsed["value"],
        objective_id=objective_id,
        note=note,
    )
    return figure, {}


# ---- forms of the pages ----


def objective_options(lookups: Lookups) -> list[tuple[str, str]]:
    """The custom objectives a figure may name, as select options (empty first)."""
    options = [("", _("— none (not a custom indicator) —"))]
    options += [(str(pk), title) for pk, title in sorted(lookups.objectives.items())]
    return options


class FigureForm(forms.Form):
    """One figure by hand; the API sends the same fields as JSON.

    Every field is checked by `read_figure`, so the page, the API, the webhook
    and the CSV import answer the same message for the same mistake.
    """

    date = forms.CharField(
        label=gettext_lazy("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "required": True}),
    )
    indicator = forms.CharField(
        label=gettext_lazy("Indicator"),
        required=False,
        widget=forms.Select(attrs={"required": True}),
    )
    objective = forms.CharField(
        label=gettext_lazy("Objective"),
        required=False,
        widget=forms.Select(),
        help_text=gettext_lazy("Only for a custom indicator: the objective it measures."),
    )
    value = forms.CharField(
        label=gettext_lazy("Value"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "required": True}),
        help_text=gettext_lazy("A number with at most two decimals: 1250 or 1250.50 (or 1250,50)."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": NOTE_LENGTH}),
        help_text=gettext_lazy("Optional: where the figure comes from, what it counts."),
    )

    def __init__(self, *args, lookups: Lookups, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lookups = lookups
        self.figure: Figure | None = None
        self.fields["indicator"].widget.choices = [(k.value, k.label) for k in BUSINESS_KPIS]
        self.fields["objective"].widget.choices = objective_options(lookups)
        self.fields["date"].widget.attrs["max"] = lookups.today.isoformat()

    def clean(self) -> dict:
        data = super().clean()
        cells = {name: str(data.get(name) or "") for name in COLUMNS}
        self.figure, errors = read_figure(cells, self.lookups)
        for column, message in errors.items():
            self.add_error(column, message)
        return data


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("File format"),
        choices=[
            ("tribune", gettext_lazy("Tribune: columns date, indicator, value, objective, note")),
            ("ga4", gettext_lazy("Google Analytics 4: a report downloaded as CSV, by Date")),
            ("plausible", gettext_lazy("Plausible: the dashboard's export (zip or visitors.csv)")),
        ],
        initial="tribune",
        widget=forms.RadioSelect,
    )
    ga4_metric = forms.ChoiceField(
        label=gettext_lazy("From a Google Analytics 4 file, site traffic is"),
        choices=[
            ("sessions", gettext_lazy("Sessions")),
            ("active_users", gettext_lazy("Active users")),
            ("views", gettext_lazy("Views")),
        ],
        initial="sessions",
        widget=forms.RadioSelect,
    )
    plausible_metric = forms.ChoiceField(
        label=gettext_lazy("From a Plausible file, site traffic is"),
        choices=[
            ("visitors", gettext_lazy("Unique visitors")),
            ("pageviews", gettext_lazy("Pageviews")),
            ("visits", gettext_lazy("Visits")),
        ],
        initial="visitors",
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A CSV file (or Plausible's zip), at most 5 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB; split it into several files."))
        return upload
