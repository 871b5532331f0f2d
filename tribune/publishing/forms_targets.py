"""The inputs of people's decisions about a target: a published address, a reason to skip.

The pages and the API bind the same forms, so an address is checked once.
"""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .models import Target

URL_MAX = Target._meta.get_field("url").max_length
REASON_MAX = 2000


class MarkPublishedForm(forms.Form):
    url = forms.URLField(
        label=_("Address of the published post"),
        max_length=URL_MAX,
        assume_scheme="https",
        # Only web addresses: the panel renders it as a link people open.
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"required": _("Give the address of the published post (https://…).")},
        widget=forms.URLInput(attrs={"placeholder": "https://…", "class": "keep-while-typing"}),
    )


class SkipForm(forms.Form):
    reason = forms.CharField(
        label=_("Why skip it"),
        max_length=REASON_MAX,
        strip=True,
        error_messages={"required": _("Say why it is skipped.")},
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. the offer has ended"), "class": "keep-while-typing"}
        ),
    )
