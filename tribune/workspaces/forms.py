"""Forms of the workspaces domain."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Workspace
from .roles import NETWORK_SCOPED_ROLES, Role

TIME_ZONES = sorted(zoneinfo.available_timezones())


class WorkspaceForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIME_ZONES])

    class Meta:
        model = Workspace
        fields = ["name", "slug", "language", "time_zone", "description"]


class RolesForm(forms.Form):
    """Roles, and for network-scoped roles an optional list of networks."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, networks: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for role in sorted(NETWORK_SCOPED_ROLES):
            self.fields[f"scope_{role}"] = forms.MultipleChoiceField(
                label=_("%(role)s limited to these networks (none ticked: all)")
                % {"role": Role(role).label},
                choices=networks or [],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def scopes(self) -> dict[str, list[str]]:
        return {
            role: self.cleaned_data.get(f"scope_{role}") or []
            for role in NETWORK_SCOPED_ROLES
            if role in self.cleaned_data.get("roles", [])
        }


class InvitationForm(RolesForm):
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)
