"""The UTM settings page: owners only, per-network sources, audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tribune.editorial.actions import editorial_settings
from tribune.editorial.actions_links import do_save_link_settings
from tribune.strategy.models import NetworkChoice
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import Access
from tribune.workspaces.models import AuditEvent, Membership
from tribune.workspaces.roles import Role

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "tag_links": "on",
        "utm_medium": "social",
        "utm_campaign": "autumn",
        "source_instagram": "ig",
        "source_linkedin": "linkedin",
        "source_x": "",
    }
    data.update(overrides)
    return data


def test_it_lets_only_those_who_manage_the_workspace_in(client, workspace, alice, bob, charlie):
    page = reverse("link-settings", args=[workspace.slug])
    client.force_login(alice)
    assert client.get(page).status_code == 200
    for role in (Role.EDITOR, Role.STRATEGIST, Role.PUBLISHER, Role.GUEST):
        set_roles(bob, workspace, role)
        client.force_login(bob)
        assert client.get(page).status_code == 403
        assert client.post(page, form_data()).status_code == 403
    client.force_login(charlie)
    assert client.get(page).status_code == 404
    with pytest.raises(PermissionDenied):
        do_save_link_settings(Access(workspace, Membership.objects.get(user=bob)), utm_medium="x")


def test_it_saves_the_settings_and_keeps_only_sources_that_differ(client, workspace, alice):
    client.force_login(alice)
    response = client.post(
        reverse("link-settings", args=[workspace.slug]),
        form_data(shorten_links="on", utm_medium="  social  "),
    )
    assert response.status_code == 302
    saved = editorial_settings(workspace)
    assert (saved.utm_medium, saved.utm_campaign) == ("social", "autumn")
    assert saved.tag_links and saved.shorten_links
    assert saved.utm_sources == {"instagram": "ig"}
    event = AuditEvent.objects.get(object_type="editorialsettings")
    assert event.before["utm_campaign"] == "" and event.after["utm_campaign"] == "autumn"


def test_it_leaves_the_other_editorial_settings_alone(client, workspace, alice):
    found = editorial_settings(workspace)
    found.duplicate_window_days = 30
    found.severities = {"frequency": "block"}
    found.save()
    client.force_login(alice)
    client.post(reverse("link-settings", args=[workspace.slug]), form_data())
    found.refresh_from_db()
    assert (found.duplicate_window_days, found.severities) == (30, {"frequency": "block"})


def test_it_shows_the_strategys_networks_and_an_example(client, workspace, alice):
    NetworkChoice.objects.create(workspace=workspace, network="bluesky", rationale="Early adopters")
    found = editorial_settings(workspace)
    found.utm_sources = {"youtube": "yt"}
    found.save()
    client.force_login(alice)
    html = client.get(reverse("link-settings", args=[workspace.slug])).content.decode()
    assert 'name="source_bluesky"' in html and 'name="source_youtube"' in html
    assert 'name="source_instagram"' not in html
    assert "https://example.org/page?ref=1&amp;utm_source=" in html


def test_it_refuses_control_characters(client, workspace, alice):
    client.force_login(alice)
    response = client.post(
        reverse("link-settings", args=[workspace.slug]), form_data(utm_campaign="a\x07b")
    )
    assert response.status_code == 200
    assert editorial_settings(workspace).utm_campaign == ""
