"""Moving a post: do_reschedule's permission and rule checks, drag and drop, the "move to" form."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tribune.editorial.actions import editorial_settings
from tribune.editorial.actions_calendar import do_reschedule
from tribune.editorial.choices import PostState
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.models import AuditEvent
from tribune.workspaces.roles import Role

from .calendar_samples import dst_year, future, last_sunday, make_post

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def access_of(user, workspace):
    return access_workspace(user, workspace.slug)


def drop_url(workspace, post):
    return reverse("calendar-drop", args=[workspace.slug, post.pk])


def move_url(workspace, post):
    return reverse("calendar-move", args=[workspace.slug, post.pk])


def test_it_moves_a_scheduled_post_and_records_it(alice, workspace):
    post = make_post(workspace, when=future(5), state=PostState.SCHEDULED)
    target = future(6)
    do_reschedule(access_of(alice, workspace), post, target)
    post.refresh_from_db()
    assert post.scheduled_at == target
    assert post.state == PostState.SCHEDULED
    event = AuditEvent.objects.get(verb="reschedule")
    assert event.after["scheduled_at"].startswith(target.strftime("%Y-%m-%dT%H:%M"))


def test_it_needs_publish_on_every_network_of_a_scheduled_post(bob, workspace):
    post = make_post(workspace, when=future(5), networks=("linkedin", "instagram"))
    post.state = PostState.SCHEDULED
    post.save()
    # An editor may write but not publish.
    with pytest.raises(PermissionDenied):
        do_reschedule(access_of(bob, workspace), post, future(6))
    # A publisher limited to LinkedIn cannot move a post that also goes to Instagram.
    set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["linkedin"]})
    with pytest.raises(PermissionDenied):
        do_reschedule(access_of(bob, workspace), post, future(6))
    set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["linkedin", "instagram"]})
    do_reschedule(access_of(bob, workspace), post, future(6))
    post.refresh_from_db()
    assert post.scheduled_at == future(6)


def test_it_lets_writers_move_a_drafts_planned_time_but_not_readers(bob, workspace):
    post = make_post(workspace, when=future(5))
    do_reschedule(access_of(bob, workspace), post, future(7))  # bob is an Editor
    post.refresh_from_db()
    assert post.scheduled_at == future(7)
    set_roles(bob, workspace, Role.PUBLISHER)
    with pytest.raises(PermissionDenied):
        do_reschedule(access_of(bob, workspace), post, future(8))


def test_it_refuses_a_time_in_the_past(alice, workspace):
    post = make_post(workspace, when=future(5))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        do_reschedule(access_of(alice, workspace), post, timezone.now() - timedelta(hours=1))
    assert "in the past" in caught.value.messages[0]
    post.refresh_from_db()
    assert post.scheduled_at == future(5)


def test_it_refuses_a_blackout_date_when_the_check_blocks(alice, workspace):
    target = future(9)
    settings = editorial_settings(workspace)
    settings.blackout_dates = [target.date().isoformat()]
    settings.save()
    post = make_post(workspace, when=future(5), state=PostState.SCHEDULED)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        do_reschedule(access_of(alice, workspace), post, target)
    assert "blackout" in " ".join(caught.value.messages)
    settings.severities = {"blackout_date": "warn"}
    settings.save()
    do_reschedule(access_of(alice, workspace), post, target)
    post.refresh_from_db()
    assert post.scheduled_at == target


def test_it_refuses_quiet_hours_when_the_check_blocks(alice, workspace):
    settings = editorial_settings(workspace)
    settings.quiet_start, settings.quiet_end = (
        datetime.min.time(),
        datetime.min.time().replace(hour=6),
    )
    settings.save()
    post = make_post(workspace, when=future(5), state=PostState.SCHEDULED)
    night = future(6, hour=1)  # 02:00 or 03:00 in Paris
    with pytest.raises(ValidationError):
        do_reschedule(access_of(alice, workspace), post, night)


def test_it_moves_on_drop_and_answers_with_the_offset(client, alice, workspace):
    post = make_post(workspace, when=future(5), state=PostState.SCHEDULED)
    client.force_login(alice)
    target = future(6, hour=12)
    local = target.astimezone(PARIS)
    with translation.override("en"):
        response = client.post(
            drop_url(workspace, post), {"start": local.strftime("%Y-%m-%dT%H:%M:%S")}
        )
    answer = response.json()
    assert response.status_code == 200 and answer["ok"] is True
    assert "UTC+0" in answer["message"]
    post.refresh_from_db()
    assert post.scheduled_at == target


def test_it_refuses_a_drop_with_a_message_the_page_can_show(client, bob, charlie, workspace):
    post = make_post(workspace, when=future(5), state=PostState.SCHEDULED)
    client.force_login(bob)  # an Editor cannot move a scheduled post
    response = client.post(drop_url(workspace, post), {"start": "2031-01-07T10:00:00"})
    assert response.status_code == 403
    assert response.json()["ok"] is False and response.json()["message"]
    client.force_login(charlie)
    assert (
        client.post(drop_url(workspace, post), {"start": "2031-01-07T10:00:00"}).status_code == 404
    )
    post.refresh_from_db()
    assert post.scheduled_at == future(5)


def test_it_refuses_a_drop_into_the_hour_the_clocks_skip(client, alice, workspace):
    post = make_post(workspace, when=future(5))
    client.force_login(alice)
    day = last_sunday(dst_year(), 3)
    with translation.override("en"):
        response = client.post(drop_url(workspace, post), {"start": f"{day}T02:30:00"})
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.json()["message"]


def test_it_takes_the_first_of_two_repeated_times_on_drop_and_says_so(client, alice, workspace):
    post = make_post(workspace, when=future(5))
    client.force_login(alice)
    day = last_sunday(dst_year(), 10)
    response = client.post(drop_url(workspace, post), {"start": f"{day}T02:30:00"})
    assert response.json()["ok"] is True
    assert "(UTC+02:00)" in response.json()["message"]
    post.refresh_from_db()
    assert post.scheduled_at == datetime(day.year, day.month, day.day, 0, 30, tzinfo=UTC)


def test_it_moves_with_the_keyboard_form(client, alice, workspace):
    post = make_post(workspace, when=future(5), state=PostState.SCHEDULED)
    client.force_login(alice)
    assert client.get(move_url(workspace, post)).status_code == 200
    target = future(8, hour=9)  # 10:00 or 11:00 in Paris
    local = target.astimezone(PARIS)
    response = client.post(
        move_url(workspace, post), {"date": local.date(), "time": local.strftime("%H:%M")}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.scheduled_at == target


def test_it_gives_a_clear_message_for_a_time_that_does_not_exist(client, alice, workspace):
    post = make_post(workspace, when=future(5))
    client.force_login(alice)
    day = last_sunday(dst_year(), 3)
    with translation.override("en"):
        response = client.post(move_url(workspace, post), {"date": day, "time": "02:30"})
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_at == future(5)


def test_it_asks_which_when_a_time_happens_twice_then_uses_the_answer(client, alice, workspace):
    post = make_post(workspace, when=future(5))
    client.force_login(alice)
    day = last_sunday(dst_year(), 10)
    with translation.override("en"):
        asked = client.post(move_url(workspace, post), {"date": day, "time": "02:30"})
    assert asked.status_code == 400
    body = asked.content.decode()
    assert "happens twice" in body and "UTC+02:00" in body and "UTC+01:00" in body
    answered = client.post(
        move_url(workspace, post), {"date": day, "time": "02:30", "occurrence": "1"}
    )
    assert answered.status_code == 302
    post.refresh_from_db()
    assert post.scheduled_at == datetime(day.year, day.month, day.day, 1, 30, tzinfo=UTC)


def test_it_forbids_the_form_to_members_who_may_not_move(client, bob, charlie, workspace):
    post = make_post(workspace, when=future(5), state=PostState.SCHEDULED)
    client.force_login(bob)
    target = future(8)
    data = {"date": target.date(), "time": "12:00"}
    assert client.post(move_url(workspace, post), data).status_code == 403
    client.force_login(charlie)
    assert client.get(move_url(workspace, post)).status_code == 404
    post.refresh_from_db()
    assert post.scheduled_at == future(5)
