import pytest
from django.urls import reverse

from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Membership


def test_it_lists_members_for_every_member(
    client, workspace, alice, bob, django_assert_max_num_queries
):
    set_roles(bob, workspace, "guest")
    client.force_login(bob)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("team", args=[workspace.slug]))
    assert response.status_code == 200
    assert b"alice" in response.content and b"bob" in response.content
    assert b"Invite someone" not in response.content


def test_it_hides_the_team_from_outsiders(client, workspace, alice, charlie):
    client.force_login(charlie)
    assert client.get(reverse("team", args=[workspace.slug])).status_code == 404


def test_it_changes_roles_with_network_limits_and_audits(client, workspace, alice, bob):
    client.force_login(alice)
    member = Membership.objects.get(user=bob)
    url = reverse("member-edit", args=[workspace.slug, member.pk])
    response = client.post(
        url, {"roles": ["publisher", "moderator"], "scope_moderator": ["linkedin"]}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.roles == ["publisher", "moderator"]
    assert member.network_scopes == {"moderator": ["linkedin"]}
    event = AuditEvent.objects.get(verb="change_roles")
    assert event.before["roles"] == ["editor"]
    assert event.after["roles"] == ["publisher", "moderator"]
    assert event.actor == alice


def test_it_refuses_an_unknown_role(client, workspace, alice, bob):
    client.force_login(alice)
    member = Membership.objects.get(user=bob)
    response = client.post(
        reverse("member-edit", args=[workspace.slug, member.pk]), {"roles": ["king"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["roles"]
    member.refresh_from_db()
    assert member.roles == ["editor"]


def test_it_keeps_the_last_owner(client, workspace, alice):
    client.force_login(alice)
    member = Membership.objects.get(user=alice)
    response = client.post(
        reverse("member-edit", args=[workspace.slug, member.pk]), {"roles": ["guest"]}
    )
    assert response.status_code == 200
    assert "at least one Owner" in str(response.context["form"].non_field_errors())
    member.refresh_from_db()
    assert member.roles == ["owner"]
    client.post(reverse("member-remove", args=[workspace.slug, member.pk]))
    assert Membership.objects.filter(pk=member.pk).exists()


def test_it_removes_a_member(client, workspace, alice, bob):
    client.force_login(alice)
    member = Membership.objects.get(user=bob)
    assert (
        client.post(reverse("member-remove", args=[workspace.slug, member.pk])).status_code == 302
    )
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(verb="remove_member", before__user="bob").exists()


@pytest.mark.parametrize(
    "role", ["strategist", "editor", "approver", "publisher", "analyst", "guest"]
)
def test_it_lets_only_owners_change_the_team(client, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    client.force_login(bob)
    member = Membership.objects.get(user=alice)
    assert (
        client.post(
            reverse("member-edit", args=[workspace.slug, member.pk]), {"roles": ["guest"]}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("member-remove", args=[workspace.slug, member.pk])).status_code == 403
    )
    assert Membership.objects.get(pk=member.pk).roles == ["owner"]


def test_it_never_touches_another_workspace_member(client, workspace, alice, charlie):
    client.force_login(alice)
    foreign = Membership.objects.get(user=charlie)
    assert (
        client.post(reverse("member-remove", args=[workspace.slug, foreign.pk])).status_code == 404
    )
    assert client.get(reverse("member-edit", args=[workspace.slug, foreign.pk])).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_it_shows_the_audit_log_to_owners_only(client, workspace, alice, bob, charlie):
    client.force_login(alice)
    member = Membership.objects.get(user=bob)
    client.post(reverse("member-edit", args=[workspace.slug, member.pk]), {"roles": ["analyst"]})
    response = client.get(reverse("audit-log", args=[workspace.slug]))
    assert response.status_code == 200
    assert b"changed the roles of membership" in response.content
    client.force_login(bob)
    assert client.get(reverse("audit-log", args=[workspace.slug])).status_code == 403
    client.force_login(charlie)
    assert client.get(reverse("audit-log", args=[workspace.slug])).status_code == 404
