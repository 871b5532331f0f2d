"""Forms of the approval workflow: policies, comments, preview links, client decisions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.strategy.catalog import network_options
from tribune.workspaces.models import Membership, Workspace
from tribune.workspaces.roles import Role

from .approvals import CLIENT, CLIENT_LABEL
from .choices import PostFormat
from .models import ApprovalPolicy


class ApprovalPolicyForm(forms.ModelForm):
    required_role = forms.ChoiceField(label=_("An approval from the role"), required=False)

    class Meta:
        model = ApprovalPolicy
        fields = [
            "name",
            "applies_to",
            "value",
            "approvals_needed",
            "required_role",
            "required_member",
            "allow_self_approval",
        ]
        help_texts = {
            "value": _(
                "For a format or a network, its key (for example “sponsored” or “linkedin”); "
                "for a tag, the tag."
            ),
            "required_member": _("Members named here may approve the posts this policy covers."),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        roles = [(r.value, r.label) for r in Role if r not in (Role.OWNER, Role.GUEST)]
        self.fields["required_role"].choices = [
            ("", _("No particular role")),
            *roles,
            (CLIENT, CLIENT_LABEL),
        ]
        self.fields["required_member"].queryset = Membership.objects.filter(
            workspace=workspace
        ).select_related("user")
        self.fields["required_member"].label_from_instance = lambda m: m.display_name

    def clean(self) -> dict:
        data = super().clean()
        applies, value = data.get("applies_to"), (data.get("value") or "").strip()
        A = ApprovalPolicy.Applies
        if applies == A.ALL:
            value = ""
        elif not value:
            self.add_error("value", _("Say which format, network or tag."))
        elif applies == A.FORMAT and value not in PostFormat.values:
            formats = ", ".join(PostFormat.values)
            self.add_error(
                "value", _("Use one of these formats: %(formats)s.") % {"formats": formats}
            )
        elif applies == A.NETWORK and value not in dict(network_options(include_closed=True)):
            self.add_error("value", _("This is not a network Tribune knows."))
        data["value"] = value.lstrip("#") if applies == A.TAG else value
        return data


class TransitionForm(forms.Form):
    to_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why (required when requesting changes)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScheduleForm(forms.Form):
    # Entered in the workspace's time zone, which workspace_view activates;
    # Django refuses a local time that does not exist or is ambiguous.
    when = forms.DateTimeField(
        label=_("Publication time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        help_text=_("Mention a member with @ and their username to notify them."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PreviewLinkForm(forms.Form):
    client_name = forms.CharField(label=_("Client name"), max_length=120)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=14)


class ClientDecisionForm(forms.Form):
    client_name = forms.CharField(label=_("Your name"), max_length=120)
    reason = forms.CharField(
        label=_("Your comments (required to request changes)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
