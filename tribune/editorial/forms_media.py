"""Forms of the media library. The checks themselves live in media.py and actions_media.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions_media import ALT_TEXT_MAX

ACCEPT = "image/jpeg,image/png,image/gif,image/webp,video/mp4,video/quicktime,video/webm"


class MediaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Image or video"),
        help_text=_(
            "JPEG, PNG, GIF or WebP images up to 20 MB; MP4, QuickTime or WebM videos up to "
            "1 GB. The file is checked by its content, not by its name."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    alt_text = forms.CharField(
        label=_("Alternative text"),
        max_length=ALT_TEXT_MAX,
        help_text=_("What the media shows, for people who cannot see it. Required."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AltTextForm(forms.Form):
    alt_text = forms.CharField(
        label=_("Alternative text"),
        max_length=ALT_TEXT_MAX,
        help_text=_("What the media shows, for people who cannot see it. Required."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
