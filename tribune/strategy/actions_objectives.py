"""Rules of step 2 (objectives) that the shared strategy actions do not cover.

Writes go through `tribune.strategy.actions.do_save_form` / `do_delete`, which
check the permission, run in one transaction and record the audit event.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribune.workspaces.actions import Access
from tribune.workspaces.models import Workspace

from .choices import LOWER_IS_BETTER, Lever
from .models import Objective


def workspace_today(workspace: Workspace) -> date:
    """Return today's date where the workspace is, not where the server is."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(workspace.time_zone))


def check_deadline(workspace: Workspace, deadline: date) -> None:
    """Raise ValidationError when `deadline` is already past in the workspace's time zone."""
    if deadline < workspace_today(workspace):
        raise ValidationError(_("The deadline must not be in the past."), code="past")


def lower_is_better(kpi: str) -> bool:
    return kpi in LOWER_IS_BETTER


@dataclass(frozen=True)
class Progress:
    """How an objective's target compares with its baseline, in the KPI's sense."""

    lower_is_better: bool
    change: Decimal  # target - baseline

    @property
    def improves(self) -> bool:
        """True when reaching the target is an improvement for this KPI."""
        return self.change < 0 if self.lower_is_better else self.change > 0


def progress(objective: Objective) -> Progress:
    return Progress(
        lower_is_better=lower_is_better(objective.kpi),
        change=objective.target - objective.baseline,
    )


def objectives_for(access: Access, lever: str | None = None) -> QuerySet[Objective]:
    """Return the workspace's objectives, with what the list shows, in a fixed number of queries.

    An unknown `lever` is ignored rather than returning an empty list.
    """
    queryset = (
        Objective.objects.filter(workspace=access.workspace)
        .select_related("owner__user")
        .prefetch_related("personas")
        # The method's order of levers, then the nearest deadline first.
        .alias(
            lever_rank=Case(
                *(When(lever=value, then=rank) for rank, value in enumerate(Lever.values)),
                output_field=IntegerField(),
            )
        )
        .order_by("lever_rank", "deadline", "id")
    )
    if lever in Lever.values:
        queryset = queryset.filter(lever=lever)
    return queryset
