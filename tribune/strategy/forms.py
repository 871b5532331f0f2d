"""Forms of the strategy domain. Choices are limited to the current workspace."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .catalog import network_options
from .choices import ContentFormat
from .models import Persona


class PersonaForm(forms.ModelForm):
    networks = forms.MultipleChoiceField(
        label=_("Where is this target online?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    formats = forms.MultipleChoiceField(
        label=_("Preferred content formats"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=ContentFormat.choices,
    )

    class Meta:
        model = Persona
        fields = [
            "name",
            "description",
            "audience",
            "age_min",
            "age_max",
            "location",
            "interests",
            "networks",
            "online_notes",
            "expectations",
            "needs",
            "objections",
            "formats",
        ]
        labels = {
            "expectations": _("What does this target expect?"),
            "needs": _("What does this target need?"),
        }
        # The labels above already ask the question the model's help text asks.
        help_texts = {"expectations": "", "needs": ""}
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in (
                "description",
                "interests",
                "online_notes",
                "expectations",
                "needs",
                "objections",
            )
        }

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["networks"].choices = network_options()
