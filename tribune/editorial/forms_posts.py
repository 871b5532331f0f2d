"""Composer forms: the post written once (PostForm), then one VariantForm per network.

Every choice is limited to the current workspace. A variant form keeps its
fields under the prefix `v-<network>`, so all variants post together and the
live counter can send one variant's fields on its own.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.strategy.catalog import network_name, network_options
from tribune.strategy.models import NetworkChoice, Objective, Persona
from tribune.workspaces.models import Workspace

from .models import ContentPillar, MediaAsset, Post, Variant
from .rules import rules_for

# Media offered in one variant's picker: the newest ones, plus those already attached.
MEDIA_CHOICES = 60


def split_words(value: str, strip: str = "") -> list[str]:
    """Return the distinct words of a comma- or space-separated entry, in order."""
    seen: dict[str, None] = {}
    for word in value.replace(",", " ").split():
        word = word.lstrip(strip).strip()
        if word:
            seen.setdefault(word, None)
    return list(seen)


def network_choices(workspace: Workspace, current: list[str]) -> list:
    """Return checkbox choices: networks the strategy chose first, then every other alive one.

    A closed network a post already has stays listed so that editing keeps it.
    """
    chosen = set(
        NetworkChoice.objects.filter(workspace=workspace).values_list("network", flat=True)
    )
    alive = network_options()
    first = [(k, n) for k, n in alive if k in chosen]
    others = [(k, n) for k, n in alive if k not in chosen]
    others += [
        (k, _("%(network)s (closed)") % {"network": network_name(k)})
        for k in current
        if k not in dict(alive)
    ]
    groups = []
    if first:
        groups.append((_("Chosen in the strategy"), first))
    if others:
        groups.append((_("Other networks") if first else _("Networks"), others))
    return groups


class PostForm(forms.ModelForm):
    """The post written once: idea, master text, who it is for, why, and where it goes."""

    tags_text = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas or spaces, for example: promo, launch."),
    )
    networks = forms.MultipleChoiceField(
        label=_("Networks"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        help_text=_("Each network gets its own version of the post, adapted below."),
    )

    class Meta:
        model = Post
        fields = ["title", "body", "persona", "objectives", "pillar", "format"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5}),
            "objectives": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "title": _("What the post is about, in a few words; only the team sees it."),
            "body": _("Written once; each network's version starts from it."),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        current = (
            list(self.instance.variants.values_list("network", flat=True))
            if self.instance.pk
            else []
        )
        self.fields["networks"].choices = network_choices(workspace, current)
        if self.instance.pk:
            self.fields["networks"].initial = current
            self.fields["tags_text"].initial = ", ".join(self.instance.tags)
        self.fields["persona"].queryset = Persona.objects.filter(workspace=workspace)
        self.fields["objectives"].queryset = Objective.objects.filter(workspace=workspace)
        self.fields["pillar"].queryset = ContentPillar.objects.filter(workspace=workspace)

    def clean(self) -> dict:
        data = super().clean()
        data["tags"] = split_words(data.get("tags_text") or "", strip="#")
        return data

    def save(self, commit: bool = True) -> Post:
        self.instance.tags = self.cleaned_data["tags"]
        return super().save(commit)


class VariantForm(forms.Form):
    """One network's version of the post; fields the network has no use for are left out."""

    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=500)
    link = forms.URLField(label=_("Link"), required=False, max_length=2000, assume_scheme="https")
    first_comment = forms.CharField(
        label=_("First comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hashtags = forms.CharField(
        label=_("Hashtags"),
        required=False,
        help_text=_("Added after the text when it does not already carry them."),
    )
    mentions = forms.CharField(
        label=_("Accounts to mention or tag"), required=False, help_text=_("Separated by commas.")
    )
    media = forms.ModelMultipleChoiceField(
        label=_("Media"),
        queryset=MediaAsset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        network: str,
        workspace: Workspace,
        variant: Variant | None = None,
        media_choices: list[MediaAsset] | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault("prefix", f"v-{network}")
        if variant is not None and variant.pk and "initial" not in kwargs:
            kwargs["initial"] = variant_initial(variant)
        super().__init__(*args, **kwargs)
        self.network = network
        self.network_label = network_name(network)
        self.rules = rules_for(network)
        self.variant = variant
        if self.rules.title_max is None:
            del self.fields["title"]
        else:
            self.fields["title"].required = False
            self.fields["title"].help_text = (
                _("Required by this network.") if self.rules.title_required else ""
            )
        # The picker lists the given media; the queryset is what a submitted id may be.
        self.fields["media"].queryset = MediaAsset.objects.filter(workspace=workspace)
        if media_choices is not None:
            self.fields["media"].choices = [(m.pk, media_label(m)) for m in media_choices]

    def bound_alt_texts(self) -> dict[int, str]:
        """Return media id -> per-network alt text as submitted (`<prefix>-alt-<id>`)."""
        found: dict[int, str] = {}
        for key, value in self.data.items():
            head = f"{self.prefix}-alt-"
            if key.startswith(head) and key[len(head) :].isdigit():
                found[int(key[len(head) :])] = value.strip()
        return found

    def to_variant(self, variant: Variant | None = None) -> Variant:
        """Return `variant` (or a new unsaved one) carrying the cleaned values; no save."""
        data = self.cleaned_data
        variant = variant or Variant(network=self.network)
        variant.text = data.get("text", "")
        variant.link = data.get("link", "")
        variant.first_comment = data.get("first_comment", "")
        variant.hashtags = split_words(data.get("hashtags", ""), strip="#")
        variant.mentions = [m.strip() for m in (data.get("mentions") or "").split(",") if m.strip()]
        options = dict(variant.options or {})
        if "title" in self.fields:
            options["title"] = data.get("title", "").strip()
        variant.options = options
        return variant


def media_label(media: MediaAsset) -> str:
    """Return how the picker names a medium: file name, kind and size in pixels."""
    size = f", {media.width} × {media.height}" if media.width and media.height else ""
    return f"{media.original_name} ({media.get_kind_display()}{size})"


def variant_initial(variant: Variant) -> dict:
    """Return a saved variant's values as the form shows them."""
    rows = list(variant.variantmedia_set.all())
    return {
        "text": variant.text,
        "title": (variant.options or {}).get("title", ""),
        "link": variant.link,
        "first_comment": variant.first_comment,
        "hashtags": " ".join(f"#{t}" for t in variant.hashtags),
        "mentions": ", ".join(variant.mentions),
        "media": [r.media_id for r in rows],
        "alt_texts": {r.media_id: r.alt_text for r in rows},
    }
