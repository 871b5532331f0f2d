"""do_schedule: publish rights on every network, valid variants, calendar checks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tribune.editorial import workflow
from tribune.editorial.actions import editorial_settings
from tribune.editorial.choices import PostState as S
from tribune.editorial.choices import Severity
from tribune.editorial.models import Transition
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent

from .workflow_support import access_for, english, make_post  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


def next_week_at_ten() -> datetime:
    local = timezone.localtime(timezone.now(), timezone.get_fixed_timezone(60)) + timedelta(days=7)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)


@pytest.mark.parametrize("role", ["owner", "publisher"])
def test_it_schedules_an_approved_post_with_publish_rights(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.APPROVED, networks=("linkedin", "bluesky"))
    when = next_week_at_ten()
    warnings = workflow.do_schedule(access_for(bob, workspace), post, when)
    post.refresh_from_db()
    assert post.state == S.SCHEDULED
    assert post.scheduled_at == when
    assert isinstance(warnings, list)
    assert Transition.objects.filter(post=post, to_state=S.SCHEDULED, actor=bob).exists()
    event = AuditEvent.objects.get(verb="transition", after__state=S.SCHEDULED)
    assert event.after["scheduled_at"] is not None and event.before["scheduled_at"] is None


@pytest.mark.parametrize("role", ["strategist", "editor", "approver", "analyst", "guest"])
def test_it_refuses_scheduling_without_publish_rights(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.APPROVED)
    with pytest.raises(PermissionDenied):
        workflow.do_schedule(access_for(bob, workspace), post, next_week_at_ten())
    post.refresh_from_db()
    assert (post.state, post.scheduled_at) == (S.APPROVED, None)


def test_it_needs_publish_rights_on_every_network_of_the_post(workspace, alice, bob):
    set_roles(bob, workspace, "publisher", scopes={"publisher": ["linkedin"]})
    post = make_post(workspace, alice, state=S.APPROVED, networks=("linkedin", "bluesky"))
    with pytest.raises(PermissionDenied) as caught:
        workflow.do_schedule(access_for(bob, workspace), post, next_week_at_ten())
    assert "Bluesky" in str(caught.value)
    post.refresh_from_db()
    assert post.state == S.APPROVED
    linkedin_only = make_post(workspace, alice, state=S.APPROVED, networks=("linkedin",))
    workflow.do_schedule(access_for(bob, workspace), linkedin_only, next_week_at_ten())
    linkedin_only.refresh_from_db()
    assert linkedin_only.state == S.SCHEDULED


@pytest.mark.parametrize("start", [S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED])
def test_it_schedules_only_approved_posts(workspace, alice, start):
    post = make_post(workspace, alice, state=start)
    with pytest.raises(ValidationError):
        workflow.do_schedule(access_for(alice, workspace), post, next_week_at_ten())
    post.refresh_from_db()
    assert post.state == start


def test_it_refuses_a_time_in_the_past(workspace, alice):
    post = make_post(workspace, alice, state=S.APPROVED)
    with pytest.raises(ValidationError) as caught:
        workflow.do_schedule(
            access_for(alice, workspace), post, timezone.now() - timedelta(hours=1)
        )
    assert "future" in caught.value.messages[0]


def test_it_refuses_a_post_with_no_network_version(workspace, alice):
    post = make_post(workspace, alice, state=S.APPROVED, networks=())
    with pytest.raises(ValidationError):
        workflow.do_schedule(access_for(alice, workspace), post, next_week_at_ten())


def test_it_refuses_a_variant_that_breaks_a_rule_at_scheduling(workspace, alice):
    post = make_post(workspace, alice, state=S.APPROVED, networks=("bluesky",), text="b" * 305)
    with pytest.raises(ValidationError) as caught:
        workflow.do_schedule(access_for(alice, workspace), post, next_week_at_ten())
    assert caught.value.messages[0].startswith("Bluesky:")


def test_it_refuses_when_a_calendar_check_blocks(workspace, alice):
    when = next_week_at_ten()
    settings = editorial_settings(workspace)
    settings.blackout_dates = [when.date().isoformat()]
    settings.severities = {"blackout_date": Severity.BLOCK}
    settings.save()
    post = make_post(workspace, alice, state=S.APPROVED)
    with pytest.raises(ValidationError) as caught:
        workflow.do_schedule(access_for(alice, workspace), post, when)
    assert "blackout" in " ".join(caught.value.messages)
    post.refresh_from_db()
    assert (post.state, post.scheduled_at) == (S.APPROVED, None)


def test_it_returns_warnings_that_do_not_block(workspace, alice):
    when = next_week_at_ten()
    settings = editorial_settings(workspace)
    settings.blackout_dates = [when.date().isoformat()]
    settings.severities = {"blackout_date": Severity.WARN}
    settings.save()
    post = make_post(workspace, alice, state=S.APPROVED)
    warnings = workflow.do_schedule(access_for(alice, workspace), post, when)
    assert "blackout_date" in {f.rule for f in warnings}
    post.refresh_from_db()
    assert post.state == S.SCHEDULED


def test_it_schedules_through_do_transition_at_the_posts_time(workspace, alice):
    when = next_week_at_ten()
    post = make_post(workspace, alice, state=S.APPROVED, scheduled_at=when)
    workflow.do_transition(access_for(alice, workspace), post, S.SCHEDULED)
    post.refresh_from_db()
    assert post.state == S.SCHEDULED
    undated = make_post(workspace, alice, state=S.APPROVED)
    with pytest.raises(ValidationError):
        workflow.do_transition(access_for(alice, workspace), undated, S.SCHEDULED)


def test_it_moves_a_scheduled_post_to_another_time_without_a_new_transition(workspace, alice):
    post = make_post(workspace, alice, state=S.APPROVED)
    workflow.do_schedule(access_for(alice, workspace), post, next_week_at_ten())
    later = next_week_at_ten() + timedelta(days=1)
    workflow.do_schedule(access_for(alice, workspace), post, later)
    post.refresh_from_db()
    assert (post.state, post.scheduled_at) == (S.SCHEDULED, later)
    assert Transition.objects.filter(post=post, to_state=S.SCHEDULED).count() == 1
    assert AuditEvent.objects.filter(verb="reschedule").exists()
