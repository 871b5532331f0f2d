"""Steps 1–4 of the method as data: personas, objectives, network choices, speaking policy."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribune.workspaces.models import Membership, Workspace

from .catalog import network_name
from .choices import Audience, Kpi, Lever


class Persona(models.Model):
    """Step 1: a target, with where it is, what it expects and what it needs."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(
        _("B2B or B2C"), max_length=4, choices=Audience.choices, default=Audience.B2C
    )
    age_min = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        validators=[MinValueValidator(13), MaxValueValidator(100)],
    )
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"),
        null=True,
        blank=True,
        validators=[MinValueValidator(13), MaxValueValidator(100)],
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    interests = models.TextField(_("interests"), blank=True)
    needs = models.TextField(_("needs"), blank=True, help_text=_("What does this target need?"))
    expectations = models.TextField(
        _("expectations"), blank=True, help_text=_("What does this target expect from us?")
    )
    objections = models.TextField(_("objections"), blank=True)
    # Network keys from the reference data: "where is my target?"
    networks = models.JSONField(_("where they spend time online"), default=list, blank=True)
    online_notes = models.TextField(_("other places online"), blank=True)
    # ContentFormat values.
    formats = models.JSONField(_("preferred content formats"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.age_min and self.age_max and self.age_min > self.age_max:
            raise ValidationError(
                {"age_max": _("The maximum age must not be below the minimum age.")}
            )


class Objective(models.Model):
    """Step 2: a SMART objective tied to a lever, measured by one KPI."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("title"), max_length=200)
    lever = models.CharField(_("lever"), max_length=20, choices=Lever.choices)
    kpi = models.CharField(_("indicator"), max_length=20, choices=Kpi.choices)
    kpi_label = models.CharField(
        _("custom indicator name"),
        max_length=120,
        blank=True,
        help_text=_("Required when the indicator is custom."),
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    deadline = models.DateField(_("deadline"))
    owner = models.ForeignKey(
        Membership,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_objectives",
    )
    personas = models.ManyToManyField(
        Persona, verbose_name=_("personas"), blank=True, related_name="objectives"
    )
    networks = models.JSONField(_("networks"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def indicator_name(self) -> str:
        return self.kpi_label if self.kpi == Kpi.CUSTOM else str(Kpi(self.kpi).label)

    def clean(self) -> None:
        if self.kpi == Kpi.CUSTOM and not self.kpi_label.strip():
            raise ValidationError({"kpi_label": _("Name the custom indicator.")})
        if self.baseline is not None and self.target is not None and self.baseline == self.target:
            raise ValidationError({"target": _("The target must differ from the baseline.")})


class NetworkChoice(models.Model):
    """Step 3: a network the workspace chose, and why."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="network_choices"
    )
    network = models.CharField(_("network"), max_length=40)
    rationale = models.TextField(_("why this network"))
    personas = models.ManyToManyField(
        Persona, verbose_name=_("personas"), blank=True, related_name="network_choices"
    )
    objectives = models.ManyToManyField(
        Objective, verbose_name=_("objectives"), blank=True, related_name="network_choices"
    )
    min_posts_per_week = models.PositiveSmallIntegerField(
        _("minimum posts per week"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    max_posts_per_week = models.PositiveSmallIntegerField(
        _("maximum posts per week"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("network choice")
        verbose_name_plural = _("network choices")
        ordering = ["network"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "network"], name="one_choice_per_network")
        ]

    def __str__(self) -> str:
        return self.network

    def clean(self) -> None:
        low, high = self.min_posts_per_week, self.max_posts_per_week
        if low is not None and high is not None and low > high:
            raise ValidationError(
                {"max_posts_per_week": _("The maximum must not be below the minimum.")}
            )


class RecommendationDecision(models.Model):
    """A person's answer to one suggested network for one persona."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="decisions")
    network = models.CharField(max_length=40)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    score = models.PositiveSmallIntegerField(default=0)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recommendation decision")
        verbose_name_plural = _("recommendation decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["persona", "network"], name="one_decision_per_persona_network"
            )
        ]

    def __str__(self) -> str:
        return f"{network_name(self.network)} · {self.get_decision_display()}"


class SpeakingPolicy(models.Model):
    """Step 4 for one chosen network: who publishes, responds and moderates, and how."""

    choice = models.OneToOneField(NetworkChoice, on_delete=models.CASCADE, related_name="policy")
    publishers = models.ManyToManyField(
        Membership, verbose_name=_("who publishes"), blank=True, related_name="publishes_on"
    )
    responders = models.ManyToManyField(
        Membership, verbose_name=_("who responds"), blank=True, related_name="responds_on"
    )
    moderators = models.ManyToManyField(
        Membership, verbose_name=_("who moderates"), blank=True, related_name="moderates_on"
    )
    tone = models.TextField(_("tone guidelines"), blank=True)
    response_time_minutes = models.PositiveIntegerField(
        _("target response time (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 30)],
    )
    escalation_contact = models.ForeignKey(
        Membership,
        verbose_name=_("escalation contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations",
    )
    escalation_notes = models.TextField(_("when to escalate"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("speaking policy")
        verbose_name_plural = _("speaking policies")

    def __str__(self) -> str:
        return network_name(self.choice.network)
