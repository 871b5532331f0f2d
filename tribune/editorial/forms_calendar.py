"""Forms of the calendar: filters, "move to" (the keyboard way to reschedule), queue slots."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tribune.strategy.catalog import network_name, network_options
from tribune.strategy.models import Persona
from tribune.workspaces.models import User, Workspace

from . import timezones
from .calendar import Filters, workspace_networks
from .choices import PostFormat, PostState
from .models import ContentPillar

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class CalendarFilterForm(forms.Form):
    """What the calendar shows and how it colours it; every choice is the workspace's own."""

    colour_by = forms.ChoiceField(
        label=_("Colour by"),
        choices=[("network", _("Network")), ("pillar", _("Content pillar"))],
        initial="network",
        required=False,
    )
    network = forms.MultipleChoiceField(label=_("Networks"), required=False, choices=())
    persona = forms.TypedMultipleChoiceField(
        label=_("Personas"), required=False, coerce=int, choices=()
    )
    pillar = forms.TypedMultipleChoiceField(
        label=_("Content pillars"), required=False, coerce=int, choices=()
    )
    format = forms.MultipleChoiceField(
        label=_("Formats"), required=False, choices=PostFormat.choices
    )
    state = forms.MultipleChoiceField(label=_("States"), required=False, choices=PostState.choices)
    author = forms.TypedMultipleChoiceField(
        label=_("Authors"), required=False, coerce=int, choices=()
    )

    def __init__(self, workspace: Workspace, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = [
            (n, network_name(n)) for n in workspace_networks(workspace)
        ]
        self.fields["persona"].choices = list(
            Persona.objects.filter(workspace=workspace).order_by("name").values_list("id", "name")
        )
        self.fields["pillar"].choices = list(
            ContentPillar.objects.filter(workspace=workspace).values_list("id", "name")
        )
        self.fields["author"].choices = list(
            User.objects.filter(memberships__workspace=workspace)
            .order_by("username")
            .values_list("id", "username")
        )
        for field in self.fields.values():
            if isinstance(field, forms.MultipleChoiceField):
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)

    def filters(self) -> Filters:
        """Return the validated filters (call after is_valid())."""
        data = self.cleaned_data
        return Filters(
            networks=tuple(data.get("network") or ()),
            personas=tuple(data.get("persona") or ()),
            pillars=tuple(data.get("pillar") or ()),
            formats=tuple(data.get("format") or ()),
            states=tuple(data.get("state") or ()),
            authors=tuple(data.get("author") or ()),
        )

    def colour_by_value(self) -> str:
        return (self.cleaned_data.get("colour_by") if self.is_valid() else "") or "network"


class MoveForm(forms.Form):
    """A new date and time for a post, in the workspace's zone."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    occurrence = forms.TypedChoiceField(
        label=_("When the clocks go back and this time happens twice"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (0, _("the first time (still on summer time)")),
            (1, _("the second time (after the clocks went back)")),
        ],
        help_text=_("Only needed on the night the clocks go back."),
    )

    def __init__(self, tz: zoneinfo.ZoneInfo, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.when: datetime | None = None

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.when = timezones.combine(data["date"], data["time"], self.tz, data["occurrence"])
        except ValidationError as error:
            field = "occurrence" if error.code == "ambiguous" else "time"
            self.add_error(field, error)
        return data


class QueueSlotForm(forms.Form):
    """One or more weekly slots on one network at one time: "Tuesdays and Thursdays 09:30"."""

    network = forms.ChoiceField(label=_("Network"), choices=())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"), coerce=int, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("In the workspace's time zone; the slot keeps this clock time all year."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = network_options()


class QueueSlotEditForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=())
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=WEEKDAYS)
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = network_options()
