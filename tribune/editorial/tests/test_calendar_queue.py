"""Queue slots and the allocator: next free slot, DST wall clock, "add to queue", slot pages."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from tribune.editorial.actions_calendar import do_add_to_queue, do_create_slots
from tribune.editorial.calendar import next_free_slot, slot_times
from tribune.editorial.choices import PostState
from tribune.editorial.models import QueueSlot
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.models import AuditEvent
from tribune.workspaces.roles import Role

from .calendar_samples import dst_year, last_sunday, make_post

TUESDAY, THURSDAY, SUNDAY = 1, 3, 6


def slot(workspace, network="linkedin", weekday=TUESDAY, at=time(9, 30)):
    return QueueSlot.objects.create(workspace=workspace, network=network, weekday=weekday, time=at)


def test_it_finds_the_next_slot_and_skips_taken_ones(workspace):
    slot(workspace, weekday=TUESDAY)
    slot(workspace, weekday=THURSDAY)
    # Monday 5 January 2032, noon in Paris (11:00 UTC, winter time).
    after = datetime(2032, 1, 5, 11, 0, tzinfo=UTC)
    tuesday = datetime(2032, 1, 6, 8, 30, tzinfo=UTC)
    thursday = datetime(2032, 1, 8, 8, 30, tzinfo=UTC)
    assert next_free_slot(workspace, "linkedin", after) == tuesday
    make_post(workspace, "Taken", tuesday, ("linkedin",))
    assert next_free_slot(workspace, "linkedin", after) == thursday
    # A post on another network does not take LinkedIn's slot.
    make_post(workspace, "Elsewhere", thursday, ("instagram",))
    assert next_free_slot(workspace, "linkedin", after) == thursday


def test_it_returns_none_without_slots_or_free_time(workspace):
    after = datetime(2032, 1, 5, 11, 0, tzinfo=UTC)
    assert next_free_slot(workspace, "linkedin", after) is None
    slot(workspace, weekday=TUESDAY)
    for moment in slot_times(workspace, ["linkedin"], after):
        make_post(workspace, "Full", moment, ("linkedin",))
    assert next_free_slot(workspace, "linkedin", after) is None


def test_it_keeps_the_wall_clock_time_across_daylight_saving_changes(workspace):
    year = dst_year()
    autumn = last_sunday(year, 10)
    slot(workspace, weekday=TUESDAY, at=time(9, 30))
    before_change = datetime.combine(autumn - timedelta(days=7), time(0, 0), tzinfo=UTC)
    times = list(slot_times(workspace, ["linkedin"], before_change, days=14))
    assert [t.astimezone(UTC).hour for t in times] == [7, 8]  # 09:30 CEST, then 09:30 CET
    assert all(t.astimezone(ZoneInfo("Europe/Paris")).hour == 9 for t in times)


def test_it_leaves_out_a_slot_in_the_skipped_hour_and_fires_a_repeated_one_once(workspace):
    year = dst_year()
    slot(workspace, weekday=SUNDAY, at=time(2, 30))
    spring, autumn = last_sunday(year, 3), last_sunday(year, 10)
    around_spring = list(
        slot_times(
            workspace,
            ["linkedin"],
            datetime.combine(spring, time(0), tzinfo=UTC) - timedelta(days=1),
            2,
        )
    )
    assert around_spring == []  # 02:30 does not exist that Sunday
    around_autumn = list(
        slot_times(
            workspace,
            ["linkedin"],
            datetime.combine(autumn, time(0), tzinfo=UTC) - timedelta(days=1),
            2,
        )
    )
    # Once, at the first 02:30 (still summer time, 00:30 UTC).
    assert around_autumn == [datetime.combine(autumn, time(0, 30), tzinfo=UTC)]


def test_it_adds_a_draft_to_the_queue_keeping_its_state(alice, workspace):
    slot(workspace, weekday=TUESDAY)
    slot(workspace, weekday=THURSDAY)
    post = make_post(workspace, "Queued", None, ("linkedin",))
    access = access_workspace(alice, workspace.slug)
    expected = next_free_slot(workspace, "linkedin", timezone.now())
    post = do_add_to_queue(access, post)
    assert post.scheduled_at == expected
    assert post.state == PostState.DRAFT
    second = do_add_to_queue(access, make_post(workspace, "Next", None, ("linkedin",)))
    assert second.scheduled_at > post.scheduled_at


def test_it_schedules_an_approved_post_through_the_workflow(alice, workspace):
    slot(workspace, weekday=TUESDAY)
    post = make_post(workspace, "Ready", None, ("linkedin",), PostState.APPROVED)
    post = do_add_to_queue(access_workspace(alice, workspace.slug), post)
    assert post.state == PostState.SCHEDULED
    assert post.scheduled_at is not None
    assert AuditEvent.objects.filter(object_id=str(post.pk)).exists()


def test_it_needs_publish_rights_to_queue(bob, workspace):
    slot(workspace, weekday=TUESDAY)
    post = make_post(workspace, "Queued", None, ("linkedin",))
    with pytest.raises(PermissionDenied):
        do_add_to_queue(access_workspace(bob, workspace.slug), post)


def test_it_says_so_when_no_slot_is_free(client, alice, workspace):
    post = make_post(workspace, "Queued", None, ("linkedin",))
    client.force_login(alice)
    url = reverse("calendar-add-to-queue", args=[workspace.slug, post.pk])
    with translation.override("en"):
        response = client.post(url, follow=True)
    assert "No free queue slot" in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_at is None


def test_it_queues_from_the_calendar_with_permission_checks(client, alice, bob, charlie, workspace):
    slot(workspace, weekday=TUESDAY)
    post = make_post(workspace, "Queued", None, ("linkedin",))
    url = reverse("calendar-add-to-queue", args=[workspace.slug, post.pk])
    client.force_login(charlie)
    assert client.post(url).status_code == 404
    client.force_login(bob)
    assert client.post(url).status_code == 403
    client.force_login(alice)
    assert client.post(url).status_code == 302
    post.refresh_from_db()
    assert post.scheduled_at is not None


def test_it_creates_slots_for_several_days_at_once(client, alice, workspace):
    client.force_login(alice)
    url = reverse("queue-slots", args=[workspace.slug])
    response = client.post(url, {"network": "linkedin", "weekdays": [1, 3], "time": "09:30"})
    assert response.status_code == 302
    assert sorted(QueueSlot.objects.values_list("weekday", flat=True)) == [1, 3]
    again = client.post(url, {"network": "linkedin", "weekdays": [1], "time": "09:30"})
    assert again.status_code == 400
    assert QueueSlot.objects.count() == 2
    with translation.override("en"):
        page = client.get(url)
    body = page.content.decode()
    assert "Tuesday" in body and "Thursday" in body and "09:30" in body


def test_it_lets_members_read_slots_and_only_publishers_change_them(
    client, bob, charlie, workspace
):
    one = slot(workspace)
    url = reverse("queue-slots", args=[workspace.slug])
    edit = reverse("queue-slot-edit", args=[workspace.slug, one.pk])
    delete = reverse("queue-slot-delete", args=[workspace.slug, one.pk])
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert client.post(delete).status_code == 404
    client.force_login(bob)  # Editor
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"network": "linkedin", "weekdays": [2], "time": "10:00"}).status_code
        == 403
    )
    assert client.get(edit).status_code == 403
    assert client.post(delete).status_code == 403
    # A publisher limited to Instagram cannot touch LinkedIn's slots.
    set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["instagram"]})
    assert client.post(delete).status_code == 403
    assert (
        client.post(url, {"network": "linkedin", "weekdays": [2], "time": "10:00"}).status_code
        == 403
    )
    assert (
        client.post(url, {"network": "instagram", "weekdays": [2], "time": "10:00"}).status_code
        == 302
    )
    set_roles(bob, workspace, Role.PUBLISHER)
    response = client.post(edit, {"network": "linkedin", "weekday": 4, "time": "11:15"})
    assert response.status_code == 302
    one.refresh_from_db()
    assert (one.weekday, one.time) == (4, time(11, 15))
    assert client.post(delete).status_code == 302
    assert not QueueSlot.objects.filter(pk=one.pk).exists()
    assert AuditEvent.objects.filter(object_type="queueslot", verb="delete").exists()


def test_it_hides_another_workspaces_slot(client, alice, charlie, workspace):
    other = charlie.memberships.get().workspace
    theirs = slot(other)
    client.force_login(alice)
    assert (
        client.get(reverse("queue-slot-edit", args=[workspace.slug, theirs.pk])).status_code == 404
    )


def test_it_refuses_an_unknown_network_in_the_action(alice, workspace):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        do_create_slots(access_workspace(alice, workspace.slug), "myspace2", [1], time(9, 0))


def test_it_lists_slots_in_a_fixed_number_of_queries(
    client, alice, workspace, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("queue-slots", args=[workspace.slug])
    for network in ("linkedin", "instagram", "bluesky"):
        for weekday in range(7):
            slot(workspace, network=network, weekday=weekday)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["rows"]) == 3
    assert sum(len(row["slots"]) for row in response.context["rows"]) == 21
