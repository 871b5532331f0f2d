"""Numbers: raw metric snapshots, the daily rollups read by every page, business
indicators entered or imported by people, and reports.

Raw snapshots are kept for a while (AnalyticsSettings.raw_retention_days) and
may be pruned without changing any rollup: rollups are computed incrementally
when a snapshot arrives (rollups.py), from its difference with the previous
snapshot of the same target or account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribune.core.crypto import EncryptedTextField
from tribune.networks.models import Account
from tribune.publishing.models import Target
from tribune.strategy.choices import Kpi
from tribune.strategy.models import Objective
from tribune.workspaces.models import Workspace


class Readings(models.Model):
    """One column per metric of the vocabulary; None: the network does not give it."""

    views = models.BigIntegerField(null=True, blank=True)
    reach = models.BigIntegerField(null=True, blank=True)
    engagements = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True)
    saves = models.BigIntegerField(null=True, blank=True)
    clicks = models.BigIntegerField(null=True, blank=True)
    video_views = models.BigIntegerField(null=True, blank=True)
    followers = models.BigIntegerField(null=True, blank=True)
    new_followers = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class Snapshot(Readings):
    """One reading of a published target's (or an account's) counters."""

    # No single-column indexes: the (target, time) and (account, time) indexes serve
    # every lookup, pruning included, and each index costs ingestion speed.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    # None: a reading of the account itself (followers).
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    taken_at = models.DateTimeField()
    # The network's own names and values, as read.
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["target", "taken_at"], name="snapshot_target_time"),
            models.Index(fields=["account", "taken_at"], name="snapshot_account_time"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}@{self.taken_at:%Y-%m-%d %H:%M}"


class CollectionPlan(models.Model):
    """When to read a published target's counters next: tighter just after publication."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="collection")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    next_at = models.DateTimeField(db_index=True)
    step = models.PositiveSmallIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_problem = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"target {self.target_id} next {self.next_at}"


class DayCounters(models.Model):
    """A day's increase of each counter (0 when none), in the vocabulary's names."""

    views = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    engagements = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    saves = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    video_views = models.BigIntegerField(default=0)
    new_followers = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class DayTotals(DayCounters):
    """The day's counters, and followers: the level at day's end."""

    followers = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(DayTotals):
    """One day of one account, per persona, pillar and format (the mix of the posts)."""

    # The unique key starts with (workspace, day): it serves every read by workspace and
    # day range; one index less for ingestion to keep.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=40)
    # Plain ids, 0 for "none": they are part of the unique key, where NULLs would not match.
    persona_id = models.BigIntegerField(default=0)
    pillar_id = models.BigIntegerField(default=0)
    format = models.CharField(max_length=20, blank=True)
    posts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "account", "persona_id", "pillar_id", "format"],
                name="one_rollup_per_day_and_mix",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.network} {self.account_id}"


class NetworkDay(DayCounters):
    """One day of one network and persona, every account added up: what objectives,
    audience growth and reports read (a few thousand rows a year, not millions).

    Kept by ingestion beside DailyRollup, in the same transaction; `rollups.rebuild_network_days`
    computes it again from DailyRollup. Followers are kept as changes, so that a
    level on any day is a running sum: an account's first level adds its whole
    count (`first_levels` says how much of the change that was), each later
    reading the rise or fall since the previous one. Account figures sit on the
    persona 0 rows.
    """

    # Served by the unique key, which starts with (workspace, day).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    network = models.CharField(max_length=40)
    persona_id = models.BigIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    # Accounts with a followers level read that day: a network's level is known from
    # its first such day on.
    accounts_read = models.PositiveIntegerField(default=0)
    followers_change = models.BigIntegerField(default=0)
    first_levels = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "network", "persona_id"],
                name="one_network_day_per_persona",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.network} persona {self.persona_id}"


class TargetTotals(Readings):
    """The latest reading of each published target, with what the pages group by.

    Kept up to date by ingestion (rollups.py); the base of top posts, the
    best-time heatmap and each new reading's difference. Survives the pruning
    of raw snapshots.
    """

    target = models.OneToOneField(
        Target, on_delete=models.CASCADE, primary_key=True, related_name="totals"
    )
    # Served by the two indexes below, which start with it.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=40)
    post_id = models.BigIntegerField()
    persona_id = models.BigIntegerField(default=0)
    pillar_id = models.BigIntegerField(default=0)
    format = models.CharField(max_length=20, blank=True)
    published_at = models.DateTimeField()
    # In the workspace's time zone at publication: Monday = 0.
    weekday = models.PositiveSmallIntegerField()
    hour = models.PositiveSmallIntegerField()
    taken_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "published_at"], name="totals_published"),
            models.Index(fields=["workspace", "network"], name="totals_network"),
        ]

    def __str__(self) -> str:
        return f"totals of target {self.target_id}"


class BestTimeCell(models.Model):
    """The posts published on one network at one weekday and hour (workspace's time zone),
    with their engagements as last read: the best-time heatmap, the slot suggestions and
    the networks with posts read it, 168 rows a network at most, whatever the history.

    Kept by ingestion (a target's first reading counts its post, each reading adds the
    change of the target's engagements); `rollups.rebuild_best_time` computes it again
    from TargetTotals.
    """

    # Served by the unique key, which starts with it.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    network = models.CharField(max_length=40)
    weekday = models.PositiveSmallIntegerField()  # Monday = 0
    hour = models.PositiveSmallIntegerField()
    posts = models.PositiveIntegerField(default=0)
    engagements = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "weekday", "hour"], name="one_best_time_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.weekday} {self.hour:02d}:00"


class AccountLatest(Readings):
    """The latest reading of each account (followers): the base of the next difference."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="latest_reading"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField()
    # Days (workspace's time zone) of the first and of the latest followers level: what
    # NetworkDay's accounts_read and first_levels need to count each account once.
    first_level_on = models.DateField(null=True, blank=True)
    level_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"latest of account {self.account_id}"


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    CSV = "csv", _("CSV import")
    GA4 = "ga4", _("Google Analytics 4 export")
    PLAUSIBLE = "plausible", _("Plausible export")
    API = "api", _("API")
    WEBHOOK = "webhook", _("Webhook")


BUSINESS_KPIS = (Kpi.SITE_TRAFFIC, Kpi.DOWNLOADS, Kpi.PRESS_COVERAGE, Kpi.SALES, Kpi.CONTACTS,
                 Kpi.CUSTOM)  # fmt: skip


class IndicatorValue(models.Model):
    """A business figure no network gives (site traffic, sales...), for one day."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kpi = models.CharField(_("indicator"), max_length=20, choices=Kpi.choices)
    # For a custom indicator: the objective it measures.
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("day"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    source = models.CharField(max_length=10, choices=IndicatorSource.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("indicator value")
        ordering = ["-day", "kpi"]
        indexes = [models.Index(fields=["workspace", "kpi", "day"], name="indicator_day")]

    def __str__(self) -> str:
        return f"{self.kpi} {self.day}: {self.value}"


class AnalyticsSettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="analytics_settings"
    )
    raw_retention_days = models.PositiveIntegerField(_("keep raw readings for (days)"), default=90)
    # Signs the business-indicator webhook (HMAC-SHA256); shown once when generated.
    webhook_secret = EncryptedTextField(blank=True)

    def __str__(self) -> str:
        return f"analytics settings of {self.workspace_id}"


class ReportTemplate(models.Model):
    """What an agency's report holds and how it looks."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    sections = models.JSONField(_("sections"), default=list)
    logo = models.FileField(_("logo"), upload_to="reports/logos/%Y/", blank=True, max_length=300)
    colour = models.CharField(_("main colour"), max_length=7, default="#1f4fd1")
    accent = models.CharField(_("accent colour"), max_length=7, default="#e8590c")

    class Meta:
        verbose_name = _("report template")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    CAMPAIGN = "campaign", _("For a campaign period")


class ReportSchedule(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # RESTRICT, not PROTECT: a template in use cannot be deleted on its own (the action says
    # why), but deleting the whole workspace takes both.
    template = models.ForeignKey(ReportTemplate, on_delete=models.RESTRICT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    frequency = models.CharField(_("frequency"), max_length=10, choices=ReportFrequency.choices)
    # A campaign report covers this period once; weekly and monthly ones the last full period.
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("scheduled report")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportRun(models.Model):
    class Status(models.TextChoices):
        DONE = "done", _("Sent")
        FAILED = "failed", _("Failed")

    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True, max_length=300)
    html = models.FileField(upload_to="reports/%Y/%m/", blank=True, max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices)
    problem = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end} {self.status}"


class ReportComment(models.Model):
    """What the team writes about a period, printed in that period's reports."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    body = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_end", "-created_at"]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"
