"""Writes and reads of the checks area: editorial settings, content pillars, the panel.

Settings need MANAGE_WORKSPACE (owners choose what blocks scheduling);
pillars are part of the strategy and need EDIT_STRATEGY. Every write runs in
one transaction and records an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Sum

from tribune.core.snapshot import snapshot
from tribune.strategy.actions import access_object, do_delete, do_save_form
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.roles import Action

from .checks import RULES, Finding, run_checks
from .forms_checks import EditorialSettingsForm, PillarForm
from .models import ContentPillar, EditorialSettings


@transaction.atomic
def do_save_settings(access: Access, form: EditorialSettingsForm) -> EditorialSettings:
    """Save the validated settings form; return the settings."""
    check_action(access, Action.MANAGE_WORKSPACE)
    # The form's instance comes from editorial_settings(access.workspace).
    stored = EditorialSettings.objects.select_for_update().get(
        pk=form.instance.pk, workspace=access.workspace
    )
    before = snapshot(stored)
    settings = form.save()
    record(access, access.workspace, "update", settings, before, snapshot(settings))
    return settings


def access_pillar(access: Access, pillar_id: int) -> ContentPillar:
    """Return the workspace's pillar; Http404 for another workspace's."""
    return access_object(access, ContentPillar, pillar_id)


def do_save_pillar(access: Access, form: PillarForm) -> ContentPillar:
    return do_save_form(access, form, Action.EDIT_STRATEGY)


def do_delete_pillar(access: Access, pillar: ContentPillar) -> None:
    """Delete a pillar; its posts keep existing, with no pillar."""
    do_delete(access, pillar, Action.EDIT_STRATEGY)


def pillar_total(access: Access) -> int:
    """Return the sum of the workspace's pillar targets (it should be 100)."""
    found = ContentPillar.objects.filter(workspace=access.workspace).aggregate(
        t=Sum("target_share")
    )
    return found["t"] or 0


@dataclass(frozen=True)
class FindingGroup:
    key: str
    label: str
    findings: list[Finding]


def grouped_findings(access: Access, start: date, end: date) -> list[FindingGroup]:
    """Return the findings of [start, end) grouped by rule, in the registry's order."""
    findings = run_checks(access.workspace, start, end)
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule, []).append(finding)
    return [FindingGroup(key, str(RULES[key].label), found) for key, found in groups.items()]
