"""People, workspaces, memberships, invitations, API tokens and the audit log."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value})


class User(AbstractUser):
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )


class Workspace(models.Model):
    """One brand, or one client of an agency."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Language of documents produced for this workspace, such as the plan PDF."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a workspace: one or more roles, some limited to networks."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    roles = models.JSONField(_("roles"), default=list)
    # {"publisher": ["linkedin", "bluesky"]}: an absent or empty list means every network.
    network_scopes = models.JSONField(_("network limits"), default=dict, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace}"

    @property
    def role_set(self) -> set[str]:
        return set(self.roles)

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in Role.values if r in self.roles]

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.username


class Invitation(models.Model):
    """A single-use, expiring link that makes its holder a member with given roles."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    roles = models.JSONField(_("roles"), default=list)
    network_scopes = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email or str(_("invitation %(number)s") % {"number": self.pk})

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(models.Model):
    """A personal access token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


VERB_LABELS = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "change_roles": _("changed the roles of"),
    "remove_member": _("removed"),
    "invite": _("invited"),
    "join": _("joined"),
    "revoke_invitation": _("revoked"),
    "seed_demo": _("created the demo"),
    "recommendation_accepted": _("accepted the recommendation"),
    "recommendation_rejected": _("rejected the recommendation"),
    "recommendation_reconsidered": _("reconsidered the recommendation"),
    "transition": _("moved in the workflow"),
    "approve": _("approved"),
    "client_approve": _("approved for the client"),
    "comment": _("commented on"),
    "reschedule": _("rescheduled"),
    "revoke_preview_link": _("revoked the preview link of"),
    "upload": _("uploaded"),
    "upload_import": _("uploaded for import"),
    "ical_enable": _("turned on the calendar feed of"),
    "ical_revoke": _("turned off the calendar feed of"),
    "ical_rotate": _("renewed the calendar feed address of"),
    "connect": _("connected"),
    "reconnect": _("reconnected"),
    "disconnect": _("disconnected"),
    "retry_publication": _("retried"),
    "mark_published": _("marked as published"),
    "publish_again": _("published again"),
    "skip_publication": _("skipped"),
    "send_report_now": _("asked to send at once"),
    "import_figures": _("imported business figures into"),
    "receive_figures": _("received business figures by webhook for"),
    "webhook_rotate": _("made a new business-figures webhook secret for"),
    "webhook_revoke": _("turned off the business-figures webhook of"),
}


def model_labels() -> dict[str, str]:
    """Model name -> translated verbose name, for every installed model."""
    from django.apps import apps

    return {m._meta.model_name: m._meta.verbose_name for m in apps.get_models()}


class AuditEvent(models.Model):
    """Who changed what, when, with the values before and after."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    verb = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.verb} {self.object_type}"

    @property
    def verb_label(self) -> str:
        return str(VERB_LABELS.get(self.verb, self.verb))

    @property
    def object_label(self) -> str:
        return str(model_labels().get(self.object_type, self.object_type))
