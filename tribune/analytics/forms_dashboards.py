"""The dashboards' inputs: the period shown, what a breakdown groups by, the network of
the best-time heatmap, and the queue slots a person accepts from the suggestions.

Every input comes from the address bar and can be anything: an invalid one gives a
message and the default period, never an error page.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from .dashboards import BREAKDOWNS, Period

DEFAULT_DAYS = 30
# A longer period is refused: the pages stay fast and the charts readable.
MAX_DAYS = 2 * 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class PeriodForm(forms.Form):
    days = forms.ChoiceField(
        label=_("Period"),
        required=False,
        initial=str(DEFAULT_DAYS),
        choices=[
            ("7", _("Last 7 days")),
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            ("custom", _("From… to…")),
        ],
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        help_text=_("Used when the period is “From… to…”."),
    )
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, data, today: date, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        days = data.get("days") or ("custom" if start or end else str(DEFAULT_DAYS))
        data["days"] = days
        if days != "custom":
            return data
        if self.errors:
            return data
        if not start or not end:
            raise forms.ValidationError(_("Give both dates of the period, or choose a length."))
        if start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("A period may last at most %(days)s days.") % {"days": MAX_DAYS}
            )
        if end > self.today + timedelta(days=366):
            raise forms.ValidationError(_("The period must end within a year from today."))
        return data

    def period(self) -> Period:
        """Return the chosen period; the default one when the input is invalid."""
        default = Period.last(self.today, DEFAULT_DAYS)
        if not self.is_valid():
            return default
        days = self.cleaned_data["days"]
        if days == "custom":
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        return Period.last(self.today, int(days))

    def query(self) -> dict[str, str]:
        """The valid period as address-bar parameters (for the CSV links)."""
        period = self.period()
        if self.is_valid() and self.cleaned_data["days"] == "custom":
            return {
                "days": "custom",
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            }
        return {"days": str(period.days)}


class BreakdownForm(PeriodForm):
    by = forms.ChoiceField(label=_("Group by"), required=False, choices=BREAKDOWNS)

    def grouping(self) -> str:
        if self.is_valid() and self.cleaned_data.get("by"):
            return self.cleaned_data["by"]
        return BREAKDOWNS[0][0]

    def query(self) -> dict[str, str]:
        return {**super().query(), "by": self.grouping()}


class BestTimeForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), required=False)

    def __init__(self, data, networks: list[tuple[str, str]], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["network"].choices = [("", _("All networks")), *networks]

    def chosen_network(self) -> str:
        return self.cleaned_data.get("network", "") if self.is_valid() else ""


class SlotSuggestionForm(forms.Form):
    """The suggested cells a person keeps, as "weekday-hour" values, on one network."""

    network = forms.CharField(max_length=40)
    cells = forms.MultipleChoiceField(label=_("Slots to add"))

    def __init__(self, data, suggestions: dict[str, list], **kwargs):
        super().__init__(data, **kwargs)
        network = (data or {}).get("network", "")
        self.fields["cells"].choices = [
            (cell.key, cell.key) for cell in suggestions.get(network, [])
        ]
