"""Forms of the Accounts area: credentials built from a connector's fields, and reminders.

Secret fields are PasswordInputs that never render a value: a form shown
again after an error asks for the secret again rather than echoing it.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.strategy.catalog import network_options

from .base import CredentialField


class AddressField(forms.URLField):
    """A server address: https:// assumed when left out, only http and https accepted."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 500)
        super().__init__(assume_scheme="https", **kwargs)

    def clean(self, value):
        cleaned = super().clean(value)
        if cleaned and not cleaned.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter an address starting with https://."))
        return cleaned


def credential_form_field(spec: CredentialField) -> forms.Field:
    """Return the form field for one of a connector's credential fields."""
    common = {"label": spec.label, "help_text": spec.help_text}
    attrs = {"placeholder": spec.placeholder} if spec.placeholder else {}
    if spec.target == "base_url":
        attrs.setdefault("autocomplete", "url")
        return AddressField(widget=forms.URLInput(attrs=attrs), **common)
    if spec.secret:
        # "new-password": browsers must not fill in the person's own Tribune password here.
        attrs["autocomplete"] = "new-password"
        return forms.CharField(
            max_length=2000,
            strip=False,
            widget=forms.PasswordInput(attrs=attrs, render_value=False),
            **common,
        )
    attrs.setdefault("autocomplete", "off")
    return forms.CharField(max_length=200, widget=forms.TextInput(attrs=attrs), **common)


class CredentialForm(forms.Form):
    """One field per credential field of the connector, named by its target."""

    def __init__(self, *args, fields: tuple[CredentialField, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for spec in fields:
            self.fields[spec.target] = credential_form_field(spec)


class ReminderForm(forms.Form):
    """An account a person posts to by hand: Tribune reminds them when a post is due."""

    network = forms.ChoiceField(label=_("Network"))
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("How the team recognises this account, e.g. “Lumen on Snapchat”."),
    )
    profile_url = forms.URLField(
        label=_("Profile address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Optional: opened from the reminder, to post in one tap."),
    )

    def __init__(self, *args, networks: list[tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = networks if networks is not None else network_options()
