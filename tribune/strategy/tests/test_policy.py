"""Step 4: the speaking policy of a chosen network (who publishes, responds, moderates)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tribune.strategy.models import NetworkChoice, SpeakingPolicy
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Membership
from tribune.workspaces.roles import Role


@pytest.fixture
def choice(workspace):
    return NetworkChoice.objects.create(workspace=workspace, network="linkedin", rationale="B2B")


def url(workspace, choice):
    return reverse("policy-edit", args=[workspace.slug, choice.pk])


def member(user, workspace) -> Membership:
    return Membership.objects.get(user=user, workspace=workspace)


def test_it_checks_permissions(client, alice, bob, charlie, workspace, choice):
    client.force_login(alice)
    assert client.get(url(workspace, choice)).status_code == 200
    client.force_login(bob)
    assert client.get(url(workspace, choice)).status_code == 403
    set_roles(bob, workspace, Role.STRATEGIST)
    assert client.get(url(workspace, choice)).status_code == 200
    client.force_login(charlie)
    assert client.get(url(workspace, choice)).status_code == 404


def test_it_saves_a_policy_and_audits_it(client, alice, bob, workspace, choice):
    set_roles(bob, workspace, Role.PUBLISHER, Role.RESPONDER)
    a, b = member(alice, workspace), member(bob, workspace)
    client.force_login(alice)
    data = {
        "publishers": [b.pk],
        "responders": [b.pk],
        "moderators": [a.pk],
        "tone": "Warm, expert, no jargon.",
        "response_time_minutes": 120,
        "escalation_contact": a.pk,
        "escalation_notes": "Press questions go to Alice.",
    }
    assert client.post(url(workspace, choice), data).status_code == 302
    policy = SpeakingPolicy.objects.get(choice=choice)
    assert list(policy.publishers.all()) == [b] and list(policy.moderators.all()) == [a]
    assert policy.response_time_minutes == 120 and policy.escalation_contact == a
    assert AuditEvent.objects.filter(verb="create", object_type="speakingpolicy").exists()
    data["tone"] = "Formal."
    client.post(url(workspace, choice), data)
    event = AuditEvent.objects.get(verb="update", object_type="speakingpolicy")
    assert event.before["tone"].startswith("Warm") and event.after["tone"] == "Formal."
    page = client.get(reverse("network-list", args=[workspace.slug])).content.decode()
    assert "Formal." in page and "120 minutes" in page


def test_it_refuses_a_member_without_the_role_until_confirmed(
    client, alice, bob, workspace, choice
):
    b = member(bob, workspace)  # bob is an Editor
    client.force_login(alice)
    data = {"publishers": [b.pk]}
    response = client.post(url(workspace, choice), data)
    assert response.status_code == 200
    assert "bob does not hold the Publisher role" in response.content.decode()
    assert not SpeakingPolicy.objects.exists()
    confirmed = client.post(url(workspace, choice), {**data, "confirm_roles": "on"})
    assert confirmed.status_code == 302
    assert list(SpeakingPolicy.objects.get().publishers.all()) == [b]


def test_it_warns_about_a_role_limited_to_other_networks(client, alice, bob, workspace, choice):
    set_roles(bob, workspace, Role.MODERATOR, scopes={"moderator": ["instagram"]})
    client.force_login(alice)
    response = client.post(url(workspace, choice), {"moderators": [member(bob, workspace).pk]})
    assert "bob is Moderator only on other networks." in response.content.decode()
    set_roles(bob, workspace, Role.MODERATOR, scopes={"moderator": ["linkedin"]})
    assert (
        client.post(url(workspace, choice), {"moderators": [member(bob, workspace).pk]}).status_code
        == 302
    )


def test_it_offers_only_this_workspace_members(client, alice, charlie, workspace, choice):
    client.force_login(alice)
    outsider = member(charlie, charlie.memberships.get().workspace)
    response = client.post(url(workspace, choice), {"publishers": [outsider.pk]})
    assert response.context["form"].errors["publishers"]
    field = response.context["form"].fields["publishers"]
    assert set(field.queryset) == {member(alice, workspace)}


def test_it_keeps_policies_of_other_workspaces_out_of_reach(client, charlie, workspace, choice):
    client.force_login(charlie)
    other_url = reverse("policy-edit", args=["other", choice.pk])
    assert client.get(other_url).status_code == 404
