"""Who reads the dashboards: analysts, strategists and owners; other roles get 403, and
members of another workspace 404, on every page and every CSV."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tribune.testing.fixtures import set_roles
from tribune.workspaces.roles import Role

PAGES = [
    ("analytics", ""),
    ("analytics", "format=csv&table=top-posts"),
    ("analytics-breakdown", "by=pillar"),
    ("analytics-breakdown", "by=pillar&format=csv&table=breakdown-pillar"),
    ("analytics-best-time", ""),
    ("analytics-best-time", "format=csv&table=best-time"),
]


def get(client, workspace, name: str, query: str):
    return client.get(reverse(name, args=[workspace.slug]) + (f"?{query}" if query else ""))


@pytest.mark.parametrize("role", [Role.ANALYST, Role.STRATEGIST, Role.OWNER])
@pytest.mark.parametrize("name, query", PAGES)
def test_it_lets_analytics_readers_in(client, workspace, bob, role, name, query):
    set_roles(bob, workspace, role)
    client.force_login(bob)
    assert get(client, workspace, name, query).status_code == 200


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.PUBLISHER, Role.GUEST])
@pytest.mark.parametrize("name, query", PAGES)
def test_it_refuses_other_roles(client, workspace, bob, role, name, query):
    set_roles(bob, workspace, role)
    client.force_login(bob)
    assert get(client, workspace, name, query).status_code == 403


@pytest.mark.parametrize("name, query", PAGES)
def test_it_hides_every_page_from_another_workspace(client, workspace, alice, charlie, name, query):
    client.force_login(charlie)
    assert get(client, workspace, name, query).status_code == 404


def test_it_sends_visitors_to_sign_in(client, workspace):
    response = get(client, workspace, "analytics", "")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_slot_suggestions_to_other_workspaces_and_get(client, workspace, charlie):
    url = reverse("analytics-suggest-slots", args=[workspace.slug])
    client.force_login(charlie)
    assert client.post(url, {"network": "mastodon", "cells": ["1-9"]}).status_code == 404
    assert client.get(url).status_code == 405


def test_it_shows_analytics_in_the_workspace_menu(client, workspace, alice):
    client.force_login(alice)
    text = get(client, workspace, "analytics", "").text
    assert '<a href="/w/lumen/analytics/" aria-current="page">Analytics</a>' in text
