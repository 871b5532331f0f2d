"""Forms of the calendar checks: editorial settings with one choice per rule, pillars."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .checks import RULES
from .choices import Severity
from .models import ContentPillar, EditorialSettings

# More blackout days than a year's worth is a typing mistake, not a plan.
MAX_BLACKOUT_DAYS = 366


def parse_blackout(text: str) -> list[str]:
    """Return the sorted ISO dates of `text`: one date or `first..last` range per line.

    Raises ValidationError naming the first line that is not a date or a range.
    """
    days: set[date] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        first_text, _sep, last_text = line.partition("..")
        try:
            first = date.fromisoformat(first_text.strip())
            last = date.fromisoformat(last_text.strip()) if last_text else first
        except ValueError:
            raise ValidationError(
                _("“%(line)s” is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)."),
                params={"line": line},
            ) from None
        if last < first:
            raise ValidationError(_("“%(line)s” ends before it starts."), params={"line": line})
        if (last - first).days >= MAX_BLACKOUT_DAYS:
            raise ValidationError(_("Enter at most 366 blackout days."))
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    if len(days) > MAX_BLACKOUT_DAYS:
        raise ValidationError(_("Enter at most 366 blackout days."))
    return [d.isoformat() for d in sorted(days)]


def format_blackout(values: list[str]) -> str:
    """Return stored dates as lines, consecutive days shown as one range."""
    days = sorted({date.fromisoformat(v) for v in values if _is_date(v)})
    lines: list[str] = []
    run: list[date] = []
    for day in days:
        if run and day - run[-1] == timedelta(days=1):
            run.append(day)
            continue
        if run:
            lines.append(_run_text(run))
        run = [day]
    if run:
        lines.append(_run_text(run))
    return "\n".join(lines)


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _run_text(run: list[date]) -> str:
    if len(run) == 1:
        return run[0].isoformat()
    return f"{run[0].isoformat()}..{run[-1].isoformat()}"


class EditorialSettingsForm(forms.ModelForm):
    blackout_text = forms.CharField(
        label=_("Blackout dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "No post on these days. One date per line (2025-12-25), "
            "or a range (2025-12-24..2025-12-26)."
        ),
    )

    class Meta:
        model = EditorialSettings
        fields = [
            "quiet_start",
            "quiet_end",
            "duplicate_window_days",
            "pillar_window_days",
            "pillar_tolerance",
            "coverage_weeks",
        ]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "quiet_start": _("In the workspace's time zone. Leave both empty for none."),
            "quiet_end": _("May be earlier than the start: quiet hours then cross midnight."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blackout_text"].initial = format_blackout(self.instance.blackout_dates or [])
        for key, rule in RULES.items():
            self.fields[f"rule_{key}"] = forms.ChoiceField(
                label=rule.label,
                choices=Severity.choices,
                initial=self.instance.severity(key, rule.default),
            )

    def rule_fields(self) -> list[forms.BoundField]:
        return [self[f"rule_{key}"] for key in RULES]

    def other_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if not f.name.startswith("rule_")]

    def clean_blackout_text(self) -> list[str]:
        return parse_blackout(self.cleaned_data.get("blackout_text") or "")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            raise ValidationError(
                _("Give both the start and the end of the quiet hours, or neither.")
            )
        if start is not None and start == end:
            self.add_error("quiet_end", _("The end of the quiet hours must differ from the start."))
        return data

    def save(self, commit: bool = True) -> EditorialSettings:
        settings = super().save(commit=False)
        settings.blackout_dates = self.cleaned_data["blackout_text"]
        settings.severities = {key: self.cleaned_data[f"rule_{key}"] for key in RULES}
        if commit:
            settings.save()
        return settings


class PillarForm(forms.ModelForm):
    class Meta:
        model = ContentPillar
        fields = ["name", "target_share", "colour"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {"target_share": _("The share of posts this pillar should have, in percent.")}

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = ContentPillar.objects.filter(workspace=self.workspace, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("This workspace already has a pillar with this name."))
        return name

    def clean_colour(self) -> str:
        colour = self.cleaned_data["colour"]
        if (
            len(colour) != 7
            or colour[0] != "#"
            or not all(c in "0123456789abcdefABCDEF" for c in colour[1:])
        ):
            raise ValidationError(_("Enter a colour as #rrggbb."))
        return colour.lower()
