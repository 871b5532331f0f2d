"""The objective form (step 2). Every choice is limited to the current workspace."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tribune.workspaces.models import Membership, Workspace

from .actions_objectives import check_deadline
from .catalog import get_network, network_name, network_options
from .choices import Kpi
from .models import Objective, Persona


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.display_name


class ObjectiveForm(forms.ModelForm):
    owner = OwnerField(
        label=pgettext_lazy("objective", "Owner"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label="—",
    )
    personas = forms.ModelMultipleChoiceField(
        label=_("Personas"),
        queryset=Persona.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    networks = forms.MultipleChoiceField(
        label=_("Networks"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )

    class Meta:
        model = Objective
        fields = [
            "title",
            "lever",
            "kpi",
            "kpi_label",
            "baseline",
            "target",
            "deadline",
            "owner",
            "personas",
            "networks",
            "notes",
        ]
        help_texts = {
            "baseline": _("Where the indicator stands today."),
            "target": _("The value to reach by the deadline."),
        }
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["owner"].queryset = (
            Membership.objects.filter(workspace=workspace)
            .select_related("user")
            .order_by("user__username")
        )
        self.fields["personas"].queryset = Persona.objects.filter(workspace=workspace)
        # A network closed after it was picked stays selectable on this objective,
        # so that editing the title does not force dropping it; new picks are alive only.
        kept = [
            (key, _("%(network)s (closed)") % {"network": network_name(key)})
            for key in (self.instance.networks or [])
            if get_network(key) is None or not get_network(key).is_alive
        ]
        self.fields["networks"].choices = network_options() + kept

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        # An objective past its deadline may still be edited; a new or moved
        # deadline must lie ahead, judged where the workspace is.
        if deadline and (self.instance.pk is None or "deadline" in self.changed_data):
            check_deadline(self.workspace, deadline)
        return deadline

    def clean(self) -> dict:
        data = super().clean()
        # A label left over from a custom indicator would mislead once a catalogue KPI is chosen.
        if data.get("kpi") and data["kpi"] != Kpi.CUSTOM:
            data["kpi_label"] = ""
        else:
            data["kpi_label"] = (data.get("kpi_label") or "").strip()
        return data
