"""Forms of the import and export page."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.strategy.catalog import network_options

from . import exports, imports


class ImportForm(forms.Form):
    source_format = forms.ChoiceField(
        label=_("File format"),
        choices=[
            (imports.TRIBUNE, _("Tribune (columns named in the first row)")),
            (imports.HOOTSUITE, _("Hootsuite bulk composer")),
            (imports.BUFFER, _("Buffer bulk upload")),
        ],
        widget=forms.RadioSelect,
        initial=imports.TRIBUNE,
    )
    networks = forms.MultipleChoiceField(
        label=_("Networks"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Hootsuite and Buffer files are made for one profile: choose the networks each row "
            "goes to. For a Tribune file, these are used for rows with an empty “networks” cell."
        ),
    )
    day_first = forms.TypedChoiceField(
        label=_("Date order in a Hootsuite file"),
        choices=[("1", _("day/month/year (31/03/2026 09:30)")), ("0", _("month/day/year"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, at most 20 MB."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["networks"].choices = network_options()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source_format") in {imports.HOOTSUITE, imports.BUFFER} and not data.get(
            "networks"
        ):
            self.add_error("networks", _("Choose the networks this file is for."))
        return data


class ExportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("json", "JSON")], initial="csv"
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days > exports.MAX_DAYS:
                self.add_error("end", _("Export at most five years at a time."))
        return data


def default_export_range(today: date) -> dict[str, str]:
    """This month and the two after it, as the export form's initial values."""
    start = today.replace(day=1)
    end = (start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    return {"start": start.isoformat(), "end": end.isoformat(), "format": "csv"}
