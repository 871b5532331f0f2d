"""Step 5 as data: posts and their per-network variants, media, links, queue slots,
the workflow's history, approvals, comments, client previews and notifications."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribune.strategy.catalog import network_name
from tribune.strategy.models import Objective, Persona
from tribune.workspaces.models import Membership, Workspace

from .choices import MediaKind, PostFormat, PostState, Severity


class ContentPillar(models.Model):
    """A theme the calendar mixes, with its target share of posts (e.g. 40/30/30)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="pillars")
    name = models.CharField(_("name"), max_length=80)
    target_share = models.PositiveSmallIntegerField(
        _("target share (%)"), validators=[MaxValueValidator(100)]
    )
    colour = models.CharField(_("colour"), max_length=7, default="#1f4fd1")

    class Meta:
        verbose_name = _("content pillar")
        verbose_name_plural = _("content pillars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_pillar_name")
        ]

    def __str__(self) -> str:
        return self.name


class EditorialSettings(models.Model):
    """A workspace's calendar rules: links, quiet hours, blackout dates, rule severities."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="editorial_settings"
    )
    utm_medium = models.CharField(_("UTM medium"), max_length=60, default="social")
    utm_campaign = models.CharField(_("default UTM campaign"), max_length=100, blank=True)
    # network key -> utm_source; a network not listed uses its own key.
    utm_sources = models.JSONField(_("utm_source per network"), default=dict, blank=True)
    tag_links = models.BooleanField(_("add UTM tags to links"), default=True)
    shorten_links = models.BooleanField(_("use Tribune short links"), default=False)
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    blackout_dates = models.JSONField(_("blackout dates"), default=list, blank=True)
    duplicate_window_days = models.PositiveSmallIntegerField(
        _("days within which a link or text must not repeat"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    pillar_window_days = models.PositiveSmallIntegerField(
        _("days over which the pillar mix is measured"),
        default=28,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
    )
    pillar_tolerance = models.PositiveSmallIntegerField(
        _("allowed gap from a pillar's target (points)"),
        default=15,
        validators=[MaxValueValidator(100)],
    )
    coverage_weeks = models.PositiveSmallIntegerField(
        _("weeks ahead in which every persona and objective should be served"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    # rule key -> Severity value; a rule not listed uses its default severity.
    severities = models.JSONField(_("what each rule does"), default=dict, blank=True)
    # SHA-256 of the secret iCal feed token; empty when the feed is off.
    ical_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("editorial settings")
        verbose_name_plural = _("editorial settings")

    def __str__(self) -> str:
        return str(self.workspace)

    def severity(self, rule: str, default: str = Severity.WARN) -> str:
        return self.severities.get(rule, default)


class Post(models.Model):
    """One message idea, adapted per network by its variants."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(_("idea"), max_length=200)
    body = models.TextField(_("master text"), blank=True)
    persona = models.ForeignKey(
        Persona,
        verbose_name=_("persona"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    objectives = models.ManyToManyField(
        Objective, verbose_name=_("objectives"), blank=True, related_name="posts"
    )
    pillar = models.ForeignKey(
        ContentPillar,
        verbose_name=_("content pillar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    format = models.CharField(
        _("format"), max_length=20, choices=PostFormat.choices, default=PostFormat.ORGANIC
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PostState.choices,
        default=PostState.DRAFT,
        db_index=True,
    )
    # Stored in UTC; entered and shown in the workspace's time zone.
    scheduled_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["scheduled_at", "id"]
        indexes = [
            models.Index(fields=["workspace", "scheduled_at"]),
            models.Index(fields=["workspace", "state"]),
        ]

    def __str__(self) -> str:
        return self.title


class MediaAsset(models.Model):
    """An image or video in the workspace's library, checked on upload."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(_("file"), upload_to="media/%Y/%m/", max_length=300)
    thumbnail = models.FileField(upload_to="thumbnails/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=5, choices=MediaKind.choices)
    mime_type = models.CharField(max_length=60)
    size_bytes = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    alt_text = models.TextField(_("alternative text"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("media")
        verbose_name_plural = _("media")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class Variant(models.Model):
    """A post as it goes out on one network."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    network = models.CharField(_("network"), max_length=40)
    text = models.TextField(_("text"), blank=True)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    first_comment = models.TextField(_("first comment"), blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    mentions = models.JSONField(_("mentions"), default=list, blank=True)
    # Network-specific fields, e.g. {"title": "..."} for YouTube or Pinterest.
    options = models.JSONField(_("network options"), default=dict, blank=True)
    media = models.ManyToManyField(
        MediaAsset, through="VariantMedia", blank=True, related_name="variants"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["network"]
        constraints = [
            models.UniqueConstraint(fields=["post", "network"], name="one_variant_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.post} · {network_name(self.network)}"


class VariantMedia(models.Model):
    """A media item attached to a variant, in order; alt text may be adapted per network."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE)
    # RESTRICT: media in use cannot be deleted on its own, but a whole workspace can be.
    media = models.ForeignKey(MediaAsset, on_delete=models.RESTRICT)
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = models.TextField(_("alternative text for this network"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "media"], name="one_attachment_per_media")
        ]

    def __str__(self) -> str:
        return f"{self.variant} #{self.position}"


class ShortLink(models.Model):
    """A Tribune short link (/l/<code>) that redirects and counts clicks per variant."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="short_links")
    code = models.CharField(max_length=16, unique=True)
    target_url = models.URLField(max_length=2000)
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="short_links"
    )
    clicks = models.PositiveBigIntegerField(default=0)
    last_clicked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")

    def __str__(self) -> str:
        return self.code


class QueueSlot(models.Model):
    """A recurring posting time on one network, in the workspace's time zone."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="queue_slots")
    network = models.CharField(_("network"), max_length=40)
    weekday = models.PositiveSmallIntegerField(
        _("day of the week"), validators=[MaxValueValidator(6)]
    )  # 0 = Monday, as in Python's date.weekday()
    time = models.TimeField(_("time"))

    class Meta:
        verbose_name = _("queue slot")
        verbose_name_plural = _("queue slots")
        ordering = ["network", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "weekday", "time"], name="one_slot_per_time"
            )
        ]

    def __str__(self) -> str:
        return f"{network_name(self.network)} {self.weekday} {self.time:%H:%M}"


class Transition(models.Model):
    """One step of a post through the workflow: who moved it, when, and why."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=PostState.choices)
    to_state = models.CharField(max_length=20, choices=PostState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Set when a client without an account acted through a preview link.
    client_name = models.CharField(max_length=120, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class ApprovalPolicy(models.Model):
    """A rule saying which posts need which approvals (e.g. sponsored: two approvals)."""

    class Applies(models.TextChoices):
        ALL = "all", _("Every post")
        FORMAT = "format", _("Posts of a format")
        NETWORK = "network", _("Posts on a network")
        TAG = "tag", _("Posts with a tag")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="approval_policies"
    )
    name = models.CharField(_("name"), max_length=120)
    applies_to = models.CharField(_("applies to"), max_length=10, choices=Applies.choices)
    value = models.CharField(_("value"), max_length=60, blank=True)
    approvals_needed = models.PositiveSmallIntegerField(
        _("approvals needed"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # When set, at least one approval must come from this role or this member.
    required_role = models.CharField(_("an approval from the role"), max_length=20, blank=True)
    required_member = models.ForeignKey(
        Membership,
        verbose_name=_("an approval from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    allow_self_approval = models.BooleanField(
        _("authors may approve their own posts"), default=False
    )

    class Meta:
        verbose_name = _("approval policy")
        verbose_name_plural = _("approval policies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Approval(models.Model):
    """One approval given to a post while it is in review."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    client_name = models.CharField(max_length=120, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    # Approvals count for the current round only; sending back to draft ends it.
    round = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.post} ✓ {self.approver_id or self.client_name}"


class PostComment(models.Model):
    """An internal comment on a post; @mentions notify the members named."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    client_name = models.CharField(max_length=120, blank=True)
    body = models.TextField(_("comment"))
    mentions = models.ManyToManyField(Membership, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class PreviewLink(models.Model):
    """A read-only link for a client with no account, who may approve or ask for changes."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="preview_links")
    token_hash = models.CharField(max_length=64, unique=True)
    client_name = models.CharField(_("client name"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self) -> str:
        return self.client_name

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Notification(models.Model):
    """Something a member should see: a review request, an approval, a mention."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.text


class ImportJob(models.Model):
    """A CSV import running in the background, with its progress and row errors."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source_format = models.CharField(max_length=20)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    created_posts = models.PositiveIntegerField(default=0)
    # [{"line": 12, "column": "date", "message": "..."}]
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source_format} import {self.pk}"
