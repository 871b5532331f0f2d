"""Forms of the reports area: templates, schedules, the team's comments, previews."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from tribune.workspaces.models import Workspace

from .actions_reports import MAX_RECIPIENTS
from .models import ReportComment, ReportFrequency, ReportSchedule, ReportTemplate
from .reports import COLOUR, LOGO_MAX_BYTES, LOGO_MAX_SIDE, SECTIONS, logo_format

COMMENT_MAX = 5000
SEPARATORS = re.compile(r"[\s,;]+")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def section_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, label in SECTIONS.items()]


class ColourField(forms.CharField):
    """A colour as #rrggbb (what a browser's colour picker sends), stored in lower case."""

    widget = forms.TextInput(attrs={"type": "color"})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not COLOUR.fullmatch(value):
            raise ValidationError(
                _("Give the colour as # and six hexadecimal digits, for example #1f4fd1."),
                code="colour",
            )
        return value.lower()


class SectionsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=section_choices, **kwargs)

    def clean(self, value):
        chosen = set(super().clean(value))
        # The report prints its sections in its own order, whatever order they came in.
        return [key for key in SECTIONS if key in chosen]


class ReportTemplateForm(forms.ModelForm):
    sections = SectionsField(
        label=_("Sections"),
        error_messages={"required": _("Choose at least one section.")},
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG or JPEG image up to 2 MB and %(side)s pixels a side.")
        % {"side": LOGO_MAX_SIDE},
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    # Declared fields do not inherit the model's defaults: given here for a new template.
    colour = ColourField(
        label=_("Main colour"),
        help_text=_("Titles and table headings."),
        initial=ReportTemplate._meta.get_field("colour").default,
    )
    accent = ColourField(
        label=_("Accent colour"),
        help_text=_("Rules and second series."),
        initial=ReportTemplate._meta.get_field("accent").default,
    )

    class Meta:
        model = ReportTemplate
        fields = ["name", "sections", "logo", "colour", "accent"]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            return logo  # unchanged (the stored file) or False (cleared)
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError(_("The logo must not exceed 2 MB."), code="too_big")
        kind = logo_format(logo)
        if kind is None:
            raise ValidationError(
                _(
                    "The logo must be a PNG or JPEG image, whole and at most %(side)s pixels a "
                    "side. The file is checked by its content, not by its name."
                )
                % {"side": LOGO_MAX_SIDE},
                code="not_an_image",
            )
        # Named after what it is, never after what the uploader called it; unguessable,
        # should the media store ever be readable from outside.
        logo.name = f"logo-{secrets.token_hex(8)}.{'png' if kind == 'PNG' else 'jpg'}"
        return logo


class RecipientsField(forms.Field):
    """E-mail addresses, one per line (commas and semicolons work too), at most 50."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            value = "\n".join(value)
        found, seen = [], set()
        for address in SEPARATORS.split(value or ""):
            if address and address.lower() not in seen:
                seen.add(address.lower())
                found.append(address)
        return found

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        wrong = []
        check = EmailValidator()
        for address in value:
            try:
                check(address)
            except ValidationError:
                wrong.append(address)
        if wrong:
            raise ValidationError(
                _("Not e-mail addresses: %(wrong)s.") % {"wrong": ", ".join(wrong[:5])},
                code="invalid",
            )
        if len(value) > MAX_RECIPIENTS:
            raise ValidationError(
                _("At most %(max)s recipients (%(count)s given).")
                % {"max": MAX_RECIPIENTS, "count": len(value)},
                code="too_many",
            )


class TemplateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ReportTemplate) -> str:
        return obj.name


class ReportScheduleForm(forms.ModelForm):
    template = TemplateChoice(label=_("Template"), queryset=ReportTemplate.objects.none())
    recipients = RecipientsField(
        label=_("Recipients"),
        help_text=_("E-mail addresses, one per line; at most %(max)s.") % {"max": MAX_RECIPIENTS},
    )

    class Meta:
        model = ReportSchedule
        fields = ["name", "template", "frequency", "period_start", "period_end", "recipients",
                  "active"]  # fmt: skip
        widgets = {"period_start": DATE_INPUT, "period_end": DATE_INPUT}
        help_texts = {
            "frequency": _(
                "Weekly: every Monday at 07:00 for the week before. Monthly: on the 1st at "
                "07:00 for the month before. Campaign: once, the day after its last day."
            ),
            "period_start": _("For a campaign only."),
            "period_end": _("For a campaign only."),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ReportTemplate.objects.filter(workspace=workspace)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("frequency") != ReportFrequency.CAMPAIGN:
            # Weekly and monthly reports compute their own period.
            data["period_start"] = data["period_end"] = None
            return data
        start, end = data.get("period_start"), data.get("period_end")
        if start is None or end is None:
            raise ValidationError(
                _("A campaign report needs the campaign's first and last days."), code="dates"
            )
        if start > end:
            self.add_error("period_end", _("The last day must not come before the first."))
        return data


class ReportCommentForm(forms.ModelForm):
    class Meta:
        model = ReportComment
        fields = ["period_start", "period_end", "body"]
        widgets = {
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "body": forms.Textarea(attrs={"rows": 6, "maxlength": COMMENT_MAX}),
        }
        help_texts = {
            "period_start": _("The comment is printed in every report whose period overlaps "
                              "these dates."),
        }  # fmt: skip

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if len(body) > COMMENT_MAX:
            raise ValidationError(
                _("At most %(max)s characters.") % {"max": COMMENT_MAX}, code="too_long"
            )
        return body

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The last day must not come before the first."))
        return data


class PreviewForm(forms.Form):
    """Optional overrides of a preview: another period, unsaved sections and colours."""

    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    sections = forms.MultipleChoiceField(required=False, choices=section_choices)
    colour = ColourField(required=False)
    accent = ColourField(required=False)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None) or (start and end and start > end):
            raise ValidationError(_("Give both days of the period, the first one first."))
        if start and end and (end - start).days > 366:
            raise ValidationError(_("A report covers at most one year."))
        return data
