"""The UTM settings form: medium, default campaign, one source per network, and switches."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.strategy.catalog import network_name, network_options

from .models import EditorialSettings

SOURCE_PREFIX = "source_"


def utm_value(value: str) -> str:
    value = (value or "").strip()
    if any(ord(c) < 32 for c in value):
        raise forms.ValidationError(_("Use printable characters only."))
    return value


class LinkSettingsForm(forms.ModelForm):
    """Besides the model's fields, one `source_<network>` field per network shown."""

    class Meta:
        model = EditorialSettings
        fields = ["tag_links", "utm_medium", "utm_campaign", "shorten_links"]
        help_texts = {
            "tag_links": _("Add utm_source, utm_medium and utm_campaign to every link posted."),
            "utm_medium": _("Usually “social”. Leave empty to leave it out."),
            "utm_campaign": _("Used when a post names no campaign of its own."),
            "shorten_links": _(
                "Post links as /l/… addresses of this site, which count the clicks of each "
                "network's version of a post before redirecting."
            ),
        }

    def __init__(self, *args, networks: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sources = self.instance.utm_sources or {}
        keys = networks or [key for key, _label in network_options()]
        self.networks = sorted(set(keys) | set(sources), key=network_name)
        for key in self.networks:
            self.fields[SOURCE_PREFIX + key] = forms.CharField(
                label=_("utm_source for %(network)s") % {"network": network_name(key)},
                required=False,
                max_length=60,
                initial=sources.get(key, ""),
                help_text=_("Empty: “%(key)s”.") % {"key": key},
            )

    def clean(self) -> dict:
        data = super().clean()
        for name in ("utm_medium", "utm_campaign", *(SOURCE_PREFIX + k for k in self.networks)):
            if name in data:
                try:
                    data[name] = utm_value(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data

    def link_values(self) -> dict:
        """Return the cleaned values as do_save_link_settings takes them."""
        data = self.cleaned_data
        sources = {}
        for key in self.networks:
            value = data.get(SOURCE_PREFIX + key, "")
            if value and value != key:
                sources[key] = value
        return {
            "tag_links": data["tag_links"],
            "utm_medium": data["utm_medium"],
            "utm_campaign": data["utm_campaign"],
            "shorten_links": data["shorten_links"],
            "utm_sources": sources,
        }
