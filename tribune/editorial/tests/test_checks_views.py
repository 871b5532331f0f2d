"""The checks panel, the calendar rules page and content pillars: pages and permissions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tribune.editorial.actions import editorial_settings
from tribune.editorial.models import ContentPillar
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent

from .checks_helpers import choose, post

RULES_FORM = {
    "quiet_start": "22:00",
    "quiet_end": "07:00",
    "blackout_text": "2025-12-24..2025-12-26\n2026-01-01",
    "duplicate_window_days": "10",
    "pillar_window_days": "21",
    "pillar_tolerance": "10",
    "coverage_weeks": "3",
    "rule_frequency_high": "block",
    "rule_frequency_low": "warn",
    "rule_pillar_mix": "off",
    "rule_duplicate_link": "warn",
    "rule_duplicate_text": "warn",
    "rule_quiet_hours": "block",
    "rule_blackout_date": "block",
    "rule_post_without_persona": "warn",
    "rule_post_without_objective": "off",
    "rule_persona_not_served": "warn",
    "rule_objective_not_served": "warn",
    "rule_network_not_planned": "warn",
}


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def test_it_shows_findings_grouped_by_rule_with_links(client, workspace, alice):
    choose(workspace, "bluesky")
    soon = timezone.now() + timedelta(days=2)
    bare = post(workspace, soon, title="Bare post")
    client.force_login(alice)
    page = client.get(url("calendar-checks", workspace)).content.decode()
    assert "<h1>" in page and "A post that targets no persona" in page
    assert reverse("post-detail", args=[workspace.slug, bare.pk]) in page
    assert (
        "A chosen network with nothing planned" in page and url("network-list", workspace) in page
    )
    assert "How to fix it:" in page


def test_it_answers_htmx_with_the_partial_for_a_fullcalendar_range(client, workspace, alice):
    client.force_login(alice)
    response = client.get(
        url("calendar-checks", workspace),
        {"start": "2025-03-01T00:00:00+01:00", "end": "2025-04-01T00:00:00+02:00"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert response.context["start"].isoformat() == "2025-03-01"
    assert response.context["last"].isoformat() == "2025-03-31"


def test_it_refuses_a_backward_range_with_a_message(client, workspace, alice):
    client.force_login(alice)
    response = client.get(
        url("calendar-checks", workspace), {"start": "2025-03-10", "until": "2025-03-01"}
    )
    assert "The end must be after the start." in response.content.decode()


@pytest.mark.parametrize("role", ["guest", "editor", "analyst", "publisher"])
def test_it_shows_the_panel_to_every_member(client, workspace, bob, role):
    set_roles(bob, workspace, role)
    client.force_login(bob)
    assert client.get(url("calendar-checks", workspace)).status_code == 200


def test_it_hides_everything_from_other_workspaces(client, workspace, alice, charlie):
    pillar = ContentPillar.objects.create(workspace=workspace, name="Products", target_share=40)
    client.force_login(charlie)
    for name, args in [
        ("calendar-checks", []),
        ("editorial-settings", []),
        ("pillar-list", []),
        ("pillar-create", []),
        ("pillar-edit", [pillar.pk]),
    ]:
        assert client.get(url(name, workspace, *args)).status_code == 404
    assert client.post(url("pillar-delete", workspace, pillar.pk)).status_code == 404


def test_it_saves_the_calendar_rules_and_audits_them(client, workspace, alice):
    client.force_login(alice)
    response = client.post(url("editorial-settings", workspace), RULES_FORM)
    assert response.status_code == 302
    settings = editorial_settings(workspace)
    assert settings.blackout_dates == ["2025-12-24", "2025-12-25", "2025-12-26", "2026-01-01"]
    assert settings.severities["frequency_high"] == "block"
    assert settings.severities["pillar_mix"] == "off"
    assert (settings.quiet_start.hour, settings.quiet_end.hour, settings.coverage_weeks) == (
        22,
        7,
        3,
    )
    event = AuditEvent.objects.get(object_type="editorialsettings")
    assert event.before["coverage_weeks"] == 4 and event.after["coverage_weeks"] == 3
    page = client.get(url("editorial-settings", workspace)).content.decode()
    assert "2025-12-24..2025-12-26" in page


@pytest.mark.parametrize(
    "change, field",
    [
        ({"blackout_text": "25/12/2025"}, "blackout_text"),
        ({"blackout_text": "2025-12-26..2025-12-24"}, "blackout_text"),
        ({"blackout_text": "2025-01-01..2026-12-31"}, "blackout_text"),
        ({"quiet_end": "22:00"}, "quiet_end"),
        ({"quiet_end": ""}, "__all__"),
        ({"rule_quiet_hours": "sometimes"}, "rule_quiet_hours"),
        ({"pillar_window_days": "3"}, "pillar_window_days"),
    ],
)
def test_it_refuses_bad_rules_and_saves_nothing(client, workspace, alice, change, field):
    client.force_login(alice)
    response = client.post(url("editorial-settings", workspace), {**RULES_FORM, **change})
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not AuditEvent.objects.filter(object_type="editorialsettings").exists()


@pytest.mark.parametrize("role", ["strategist", "editor", "publisher", "approver"])
def test_it_leaves_the_rules_to_owners(client, workspace, bob, role):
    set_roles(bob, workspace, role)
    client.force_login(bob)
    assert client.get(url("editorial-settings", workspace)).status_code == 403
    assert client.post(url("editorial-settings", workspace), RULES_FORM).status_code == 403


def test_it_creates_pillars_and_warns_until_targets_add_up_to_100(client, workspace, alice):
    client.force_login(alice)
    response = client.post(
        url("pillar-create", workspace),
        {"name": "Products", "target_share": "40", "colour": "#AA3300"},
        follow=True,
    )
    page = response.content.decode()
    assert "add up to 40%, not 100%" in page
    pillar = ContentPillar.objects.get()
    assert (pillar.workspace, pillar.colour) == (workspace, "#aa3300")
    assert AuditEvent.objects.filter(verb="create", object_type="contentpillar").exists()
    client.post(
        url("pillar-create", workspace),
        {"name": "Advice", "target_share": "60", "colour": "#000000"},
    )
    page = client.get(url("pillar-list", workspace)).content.decode()
    assert "not 100%" not in page and "Advice" in page


def test_it_refuses_a_second_pillar_with_the_same_name(client, workspace, alice):
    ContentPillar.objects.create(workspace=workspace, name="Products", target_share=40)
    client.force_login(alice)
    response = client.post(
        url("pillar-create", workspace),
        {"name": "products", "target_share": "10", "colour": "#000000"},
    )
    assert "name" in response.context["form"].errors and ContentPillar.objects.count() == 1


def test_it_edits_and_deletes_a_pillar(client, workspace, alice):
    pillar = ContentPillar.objects.create(workspace=workspace, name="Products", target_share=40)
    client.force_login(alice)
    client.post(
        url("pillar-edit", workspace, pillar.pk),
        {"name": "Products", "target_share": "50", "colour": "#000000"},
    )
    pillar.refresh_from_db()
    assert pillar.target_share == 50
    assert client.post(url("pillar-delete", workspace, pillar.pk)).status_code == 302
    assert not ContentPillar.objects.exists()
    assert AuditEvent.objects.filter(verb="delete", object_type="contentpillar").exists()


@pytest.mark.parametrize(
    "role, allowed", [("strategist", True), ("editor", False), ("guest", False)]
)
def test_it_lets_strategists_edit_pillars_and_everyone_read_them(
    client, workspace, bob, role, allowed
):
    pillar = ContentPillar.objects.create(workspace=workspace, name="Products", target_share=40)
    set_roles(bob, workspace, role)
    client.force_login(bob)
    assert client.get(url("pillar-list", workspace)).status_code == 200
    expected = 200 if allowed else 403
    assert client.get(url("pillar-edit", workspace, pillar.pk)).status_code == expected
    assert client.get(url("pillar-create", workspace)).status_code == expected
    delete = client.post(url("pillar-delete", workspace, pillar.pk))
    assert delete.status_code == (302 if allowed else 403)


def test_it_lists_pillars_in_a_fixed_number_of_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    for n in range(20):
        ContentPillar.objects.create(workspace=workspace, name=f"Pillar {n}", target_share=5)
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        assert client.get(url("pillar-list", workspace)).status_code == 200


def test_it_checks_the_panel_in_a_fixed_number_of_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(40):
        post(workspace, now + timedelta(hours=10 * n), title=f"Post {n}")
    client.force_login(alice)
    with django_assert_max_num_queries(20):
        assert client.get(url("calendar-checks", workspace)).status_code == 200


def test_it_shows_the_first_findings_of_a_rule_and_counts_the_rest(client, workspace, alice):
    now = timezone.now()
    for n in range(53):
        post(workspace, now + timedelta(hours=n + 1), title=f"Post {n}")
    client.force_login(alice)
    page = client.get(url("calendar-checks", workspace)).content.decode()
    assert page.count("This post targets no persona.") == 50
    assert "3 more findings of this kind are not shown" in page
