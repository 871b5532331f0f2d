"""Forms of step 3 (a chosen network) and step 4 (its speaking policy)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.workspaces.models import Membership, Workspace

from .actions_networks import alive_network, role_mismatches
from .catalog import network_options
from .models import NetworkChoice, Objective, Persona, SpeakingPolicy


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.display_name} ({', '.join(obj.role_labels())})"


class NetworkChoiceForm(forms.ModelForm):
    """Create (network picked from the alive catalog) or edit a chosen network."""

    network = forms.ChoiceField(label=_("Network"), choices=())

    class Meta:
        model = NetworkChoice
        fields = [
            "network",
            "rationale",
            "personas",
            "objectives",
            "min_posts_per_week",
            "max_posts_per_week",
        ]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 5}),
            "personas": forms.CheckboxSelectMultiple,
            "objectives": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "rationale": _("Why this network, for which targets and objectives."),
            "min_posts_per_week": _("The editorial calendar warns below this."),
            "max_posts_per_week": _("The editorial calendar warns above this."),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace
        self.fields["personas"].queryset = Persona.objects.filter(workspace=workspace)
        self.fields["objectives"].queryset = Objective.objects.filter(workspace=workspace)
        if self.instance.pk:
            # The network of an existing choice does not change: remove and add instead.
            del self.fields["network"]
        else:
            taken = set(
                NetworkChoice.objects.filter(workspace=workspace).values_list("network", flat=True)
            )
            self.fields["network"].choices = [("", "—")] + [
                (key, name) for key, name in network_options() if key not in taken
            ]

    def clean_network(self) -> str:
        key = self.cleaned_data["network"]
        alive_network(key)
        if NetworkChoice.objects.filter(workspace=self.workspace, network=key).exists():
            raise forms.ValidationError(_("This network is already chosen."))
        return key


class SpeakingPolicyForm(forms.ModelForm):
    """Who publishes, responds and moderates on one network, and how.

    Naming a member who lacks the matching role (or holds it for other networks
    only) is refused until the person ticks "save anyway": the policy can then
    be written before the roles are fixed, but never by accident.
    """

    confirm_roles = forms.BooleanField(
        label=_("Save anyway: I will fix these members' roles on the Team page"),
        required=False,
    )

    class Meta:
        model = SpeakingPolicy
        fields = [
            "publishers",
            "responders",
            "moderators",
            "tone",
            "response_time_minutes",
            "escalation_contact",
            "escalation_notes",
        ]
        widgets = {
            "tone": forms.Textarea(attrs={"rows": 4}),
            "escalation_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "tone": _("Register, words to use and avoid, emoji, signature."),
            "response_time_minutes": _("For example 60 for one hour, 1440 for one day."),
            "escalation_notes": _("Crisis, legal question, press: when and how to escalate."),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(workspace=workspace).select_related("user")
        for name in ("publishers", "responders", "moderators"):
            old = self.fields[name]
            self.fields[name] = MemberChoiceField(
                queryset=members,
                required=False,
                label=old.label,
                widget=forms.CheckboxSelectMultiple,
            )
        self.fields["escalation_contact"].queryset = members
        self.fields["escalation_contact"].label_from_instance = lambda m: m.display_name
        self.mismatches = []

    def clean(self) -> dict:
        data = super().clean()
        columns = {name: list(data.get(name) or []) for name in ("publishers", "responders")}
        columns["moderators"] = list(data.get("moderators") or [])
        self.mismatches = role_mismatches(self.instance.choice.network, columns)
        if self.mismatches and not data.get("confirm_roles"):
            errors = [m.message for m in self.mismatches]
            raise forms.ValidationError(
                [_("Some members do not hold the role this policy gives them:")] + errors
            )
        return data
