"""The iCal feed: a secret, revocable address whose output calendar apps can read."""

from __future__ import annotations

import hashlib
import re

import icalendar
from django.urls import reverse

from tribune.editorial.actions import editorial_settings
from tribune.editorial.choices import PostState
from tribune.testing.fixtures import set_roles
from tribune.workspaces.roles import Role

from .calendar_samples import future, make_post


def turn_on(client, workspace) -> str:
    response = client.post(reverse("calendar-ical", args=[workspace.slug]), {"do": "create"})
    assert response.status_code == 200
    url = response.context["feed_url"]
    assert url.startswith("http://testserver/ical/")
    return url.removeprefix("http://testserver")


def test_it_shows_the_address_once_and_stores_only_its_hash(client, alice, workspace):
    client.force_login(alice)
    path = turn_on(client, workspace)
    token = re.search(r"/ical/([^/]+)/calendar\.ics", path).group(1)
    stored = editorial_settings(workspace).ical_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored
    again = client.get(reverse("calendar-ical", args=[workspace.slug]))
    assert token not in again.content.decode()
    assert again.context["is_on"] is True


def test_it_serves_a_feed_that_parses_with_one_event_per_variant(client, alice, workspace):
    make_post(
        workspace,
        "Launch, part 1; the sequel",
        future(3),
        ("linkedin", "bluesky"),
        PostState.SCHEDULED,
    )
    make_post(workspace, "Teaser", future(4), ("instagram",))
    make_post(workspace, "No network yet", future(5), ())
    make_post(workspace, "Untimed", None, ("linkedin",))
    client.force_login(alice)
    path = turn_on(client, workspace)
    client.logout()  # calendar apps have no session
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 4  # 2 + 1 variants, and the post with no variant yet
    assert len({str(e["UID"]) for e in events}) == 4
    launch = [e for e in events if "Launch, part 1; the sequel" in str(e["SUMMARY"])]
    assert len(launch) == 2
    assert {str(e["STATUS"]) for e in launch} == {"CONFIRMED"}
    assert launch[0].decoded("DTSTART") == future(3)
    assert all("DTSTAMP" in e for e in events)


def test_it_stops_serving_a_revoked_or_replaced_address(client, alice, workspace):
    client.force_login(alice)
    first = turn_on(client, workspace)
    second = turn_on(client, workspace)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post(reverse("calendar-ical", args=[workspace.slug]), {"do": "revoke"})
    assert client.get(second).status_code == 404
    assert editorial_settings(workspace).ical_token_hash == ""
    assert client.get("/ical/not-a-token/calendar.ics").status_code == 404


def test_it_lets_only_owners_manage_the_feed(client, bob, charlie, workspace):
    url = reverse("calendar-ical", args=[workspace.slug])
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(bob)
    set_roles(bob, workspace, Role.PUBLISHER, Role.STRATEGIST)
    assert client.get(url).status_code == 403
    assert client.post(url, {"do": "create"}).status_code == 403
    assert editorial_settings(workspace).ical_token_hash == ""
