"""The calendar page and its JSON feed: views, filters, colours, permissions, query count."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tribune.editorial.choices import PostFormat, PostState
from tribune.editorial.models import ContentPillar
from tribune.strategy.models import Persona
from tribune.testing.fixtures import set_roles
from tribune.workspaces.roles import Role

from .calendar_samples import future, make_post

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def feed_url(workspace, start, end, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    base = reverse("calendar-feed", args=[workspace.slug])
    return f"{base}?start={start:%Y-%m-%dT%H:%M:%S}&end={end:%Y-%m-%dT%H:%M:%S}&{query}"


def window():
    start = future(days=1).replace(hour=0, tzinfo=None)
    return start, start + timedelta(days=42)


def test_it_renders_the_calendar_page_with_fullcalendar_served_locally(client, alice, workspace):
    client.force_login(alice)
    with translation.override("en"):
        response = client.get(reverse("calendar", args=[workspace.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/fullcalendar/index.global.min.js" in body
    assert "/static/vendor/fullcalendar/locales/fr.global.min.js" in body
    assert "cdn" not in body.lower()
    assert response.context["config"]["timeZone"] == "Europe/Paris"
    assert 'role="alert"' in body and 'role="status"' in body


def test_it_chooses_fullcalendars_locale_from_the_language(client, alice, workspace):
    client.force_login(alice)
    url = reverse("calendar", args=[workspace.slug])
    assert client.get(url).context["config"]["locale"] == "en-gb"  # alice reads English
    alice.language = "fr"
    alice.save(update_fields=["language"])
    assert client.get(url).context["config"]["locale"] == "fr"


def test_it_lets_every_member_read_and_hides_it_from_outsiders(client, bob, charlie, workspace):
    start, end = window()
    make_post(workspace, when=future())
    set_roles(bob, workspace, Role.GUEST)
    client.force_login(bob)
    assert client.get(reverse("calendar", args=[workspace.slug])).status_code == 200
    events = client.get(feed_url(workspace, start, end)).json()
    assert len(events) == 1
    assert events[0]["editable"] is False  # a guest may read but not move
    client.force_login(charlie)
    assert client.get(reverse("calendar", args=[workspace.slug])).status_code == 404
    assert client.get(feed_url(workspace, start, end)).status_code == 404


def test_it_writes_the_state_and_networks_in_each_title(client, alice, workspace):
    start, end = window()
    when = future(days=3, hour=8)
    make_post(workspace, "Spring sale", when, ("linkedin", "bluesky"), PostState.SCHEDULED)
    client.force_login(alice)
    with translation.override("en"):
        [event] = client.get(feed_url(workspace, start, end)).json()
    assert event["title"].startswith("[Scheduled] Spring sale")
    assert "LinkedIn" in event["title"] and "Bluesky" in event["title"]
    # Wall-clock time in Europe/Paris, no offset: FullCalendar runs in the named zone.
    local = when.astimezone(PARIS)
    assert event["start"] == local.strftime("%Y-%m-%dT%H:%M")
    assert event["extendedProps"]["offset"] in {"UTC+01:00", "UTC+02:00"}


def test_it_filters_by_network_persona_pillar_format_state_and_author(
    client, alice, bob, workspace
):
    start, end = window()
    persona = Persona.objects.create(workspace=workspace, name="Léa", audience="b2c")
    pillar = ContentPillar.objects.create(workspace=workspace, name="Savoir-faire", target_share=40)
    match = make_post(
        workspace,
        "Match",
        future(3),
        ("instagram",),
        PostState.APPROVED,
        author=bob,
        persona=persona,
        pillar=pillar,
        format=PostFormat.SPONSORED,
    )
    make_post(workspace, "Other", future(4), ("linkedin",), author=alice)
    client.force_login(alice)
    cases = {
        "network": "instagram",
        "persona": persona.pk,
        "pillar": pillar.pk,
        "format": PostFormat.SPONSORED,
        "state": PostState.APPROVED,
        "author": bob.pk,
    }
    for key, value in cases.items():
        events = client.get(feed_url(workspace, start, end, **{key: value})).json()
        assert [e["id"] for e in events] == [str(match.pk)], key
    assert len(client.get(feed_url(workspace, start, end)).json()) == 2


def test_it_refuses_another_workspaces_ids_in_filters(client, alice, charlie, workspace):
    start, end = window()
    other = Persona.objects.create(
        workspace=charlie.memberships.get().workspace, name="X", audience="b2c"
    )
    client.force_login(alice)
    assert client.get(feed_url(workspace, start, end, persona=other.pk)).status_code == 400


def test_it_colours_by_network_or_by_pillar_with_a_legend(client, alice, workspace):
    start, end = window()
    pillar = ContentPillar.objects.create(
        workspace=workspace, name="Coulisses", target_share=30, colour="#ffe08a"
    )
    make_post(workspace, "One", future(3), ("linkedin",), pillar=pillar)
    make_post(workspace, "Two", future(4), ("linkedin", "instagram"))
    client.force_login(alice)
    by_network = {e["title"]: e for e in client.get(feed_url(workspace, start, end)).json()}
    one = next(e for t, e in by_network.items() if "One" in t)
    two = next(e for t, e in by_network.items() if "Two" in t)
    assert one["backgroundColor"] != two["backgroundColor"]
    by_pillar = client.get(feed_url(workspace, start, end, colour_by="pillar")).json()
    coloured = next(e for e in by_pillar if "One" in e["title"])
    assert coloured["backgroundColor"] == "#ffe08a"
    assert coloured["textColor"] == "#000000"  # dark text on a light pillar colour
    with translation.override("en"):
        page = client.get(reverse("calendar", args=[workspace.slug]) + "?colour_by=pillar")
    labels = [entry.label for entry in page.context["legend"]]
    assert labels == ["Coulisses", "No content pillar"]
    assert "Colours: content pillars" in page.content.decode()


def test_it_refuses_a_missing_or_huge_range(client, alice, workspace):
    client.force_login(alice)
    base = reverse("calendar-feed", args=[workspace.slug])
    assert client.get(base).status_code == 400
    assert client.get(base + "?start=2030-01-01&end=2032-01-01").status_code == 400
    assert client.get(base + "?start=2030-01-01&end=2030-02-01").status_code == 200


def test_it_leaves_out_posts_outside_the_range_and_untimed_posts(client, alice, workspace):
    start, end = window()
    make_post(workspace, "Inside", future(5))
    make_post(workspace, "Later", future(90))
    make_post(workspace, "Untimed", None)
    client.force_login(alice)
    titles = [e["title"] for e in client.get(feed_url(workspace, start, end)).json()]
    assert len(titles) == 1 and "Inside" in titles[0]


def test_it_answers_the_feed_in_a_query_count_that_does_not_grow_with_posts(
    client, alice, workspace, django_assert_max_num_queries
):
    start, end = window()
    pillar = ContentPillar.objects.create(workspace=workspace, name="P", target_share=10)
    persona = Persona.objects.create(workspace=workspace, name="Léa", audience="b2c")

    def add(first: int, last: int) -> None:
        for i in range(first, last):
            make_post(
                workspace,
                f"Post {i}",
                future(2 + i % 30),
                ("linkedin", "instagram"),
                author=alice,
                pillar=pillar,
                persona=persona,
            )

    def queries(colour_by: str, expected: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            events = client.get(feed_url(workspace, start, end, colour_by=colour_by)).json()
        assert len(events) == expected
        return len(captured.captured_queries)

    client.force_login(alice)
    add(0, 3)
    few = {by: queries(by, 3) for by in ("network", "pillar")}
    add(3, 60)
    many = {by: queries(by, 60) for by in ("network", "pillar")}
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(feed_url(workspace, start, end))


def test_it_renders_the_page_in_a_fixed_number_of_queries(
    client, alice, workspace, django_assert_max_num_queries
):
    for i in range(30):
        make_post(workspace, f"Post {i}", future(2 + i), ("linkedin", f"net{i}"))
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("calendar", args=[workspace.slug]))
    assert response.status_code == 200
    # 31 networks (LinkedIn and 30 made-up keys) and "Several networks".
    assert len(response.context["legend"]) == 32
