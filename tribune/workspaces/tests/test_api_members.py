"""API: members, their roles, their removal, and the audit log."""

import pytest

from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Membership
from tribune.workspaces.roles import Role

api_as = api_client.api_as  # the fixture, under its own name

MEMBERS = "/api/v1/workspaces/lumen/members"
NOT_OWNERS = [r for r in Role.values if r != Role.OWNER]


def member_id(user, workspace) -> int:
    return Membership.objects.get(user=user, workspace=workspace).pk


@pytest.mark.parametrize("role", Role.values)
def test_it_lists_members_to_every_role(api_as, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    body = api_as(bob).get(MEMBERS).json()
    assert [m["username"] for m in body["items"]] == ["alice", "bob"]
    assert body["items"][1]["roles"] == [role]


def test_it_lists_members_in_a_fixed_number_of_queries(
    api_as, workspace, alice, django_assert_max_num_queries
):
    from tribune.testing.fixtures import make_user

    for i in range(6):
        Membership.objects.create(workspace=workspace, user=make_user(f"m{i}"), roles=["guest"])
    client = api_as(alice)
    with django_assert_max_num_queries(5):
        assert client.get(MEMBERS).json()["count"] == 7


def test_it_shows_one_member(api_as, workspace, alice, bob):
    body = api_as(bob).get(f"{MEMBERS}/{member_id(alice, workspace)}").json()
    assert body["username"] == "alice"


def test_it_hides_members_from_an_outsider(api_as, workspace, alice, charlie):
    assert_problem(api_as(charlie).get(MEMBERS), 404)
    assert_problem(api_as(charlie).get(f"{MEMBERS}/{member_id(alice, workspace)}"), 404)


def test_it_hides_another_workspaces_member(api_as, workspace, alice, charlie):
    from tribune.workspaces.models import Workspace

    other_member = Membership.objects.get(
        user=charlie, workspace=Workspace.objects.get(slug="other")
    )
    assert_problem(api_as(alice).get(f"{MEMBERS}/{other_member.pk}"), 404)
    response = api_as(alice).put(f"{MEMBERS}/{other_member.pk}/roles", {"roles": ["guest"]})
    assert_problem(response, 404)
    assert_problem(api_as(alice).delete(f"{MEMBERS}/{other_member.pk}"), 404)


def test_it_lets_an_owner_change_roles(api_as, workspace, alice, bob):
    url = f"{MEMBERS}/{member_id(bob, workspace)}/roles"
    response = api_as(alice).put(
        url, {"roles": ["publisher", "analyst"], "network_scopes": {"publisher": ["linkedin"]}}
    )
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["publisher", "analyst"]
    membership = Membership.objects.get(user=bob, workspace=workspace)
    assert membership.network_scopes == {"publisher": ["linkedin"]}
    assert AuditEvent.objects.filter(verb="change_roles").count() == 1


@pytest.mark.parametrize("role", NOT_OWNERS)
def test_it_refuses_role_changes_to_other_roles(api_as, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    url = f"{MEMBERS}/{member_id(alice, workspace)}/roles"
    assert_problem(api_as(bob).put(url, {"roles": ["guest"]}), 403)
    assert Membership.objects.get(user=alice).roles == ["owner"]


def test_it_refuses_role_changes_to_an_outsider_and_to_anonymous(api_as, workspace, alice, charlie):
    url = f"{MEMBERS}/{member_id(alice, workspace)}/roles"
    assert_problem(api_as(charlie).put(url, {"roles": ["guest"]}), 404)
    assert_problem(api_as(None).put(url, {"roles": ["guest"]}), 401)


def test_it_keeps_the_last_owner(api_as, workspace, alice):
    url = f"{MEMBERS}/{member_id(alice, workspace)}/roles"
    body = assert_problem(api_as(alice).put(url, {"roles": ["editor"]}), 409)
    assert "Owner" in body["detail"]
    assert_problem(api_as(alice).delete(f"{MEMBERS}/{member_id(alice, workspace)}"), 409)


@pytest.mark.parametrize(
    "payload, where",
    [
        ({"roles": []}, ["body", "roles"]),
        ({"roles": ["emperor"]}, ["body", "roles", 0]),
        ({"roles": ["publisher"], "network_scopes": {"publisher": ["myspace-2"]}}, None),
        ({"roles": ["editor"], "network_scopes": {"editor": ["linkedin"]}}, None),
    ],
)
def test_it_refuses_invalid_roles(api_as, workspace, alice, bob, payload, where):
    url = f"{MEMBERS}/{member_id(bob, workspace)}/roles"
    body = assert_problem(api_as(alice).put(url, payload), 422)
    assert body["errors"]
    if where:
        assert body["errors"][0]["loc"] == where


def test_it_lets_an_owner_remove_a_member(api_as, workspace, alice, bob):
    response = api_as(alice).delete(f"{MEMBERS}/{member_id(bob, workspace)}")
    assert response.status_code == 204
    assert not Membership.objects.filter(user=bob, workspace=workspace).exists()


@pytest.mark.parametrize("role", NOT_OWNERS)
def test_it_refuses_removal_to_other_roles(api_as, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    assert_problem(api_as(bob).delete(f"{MEMBERS}/{member_id(alice, workspace)}"), 403)
    assert Membership.objects.filter(workspace=workspace).count() == 2


def test_it_shows_the_audit_log_to_owners(api_as, workspace, alice, bob):
    api_as(alice).put(f"{MEMBERS}/{member_id(bob, workspace)}/roles", {"roles": ["analyst"]})
    body = api_as(alice).get("/api/v1/workspaces/lumen/audit").json()
    assert body["count"] == 1
    event = body["items"][0]
    assert (event["actor"], event["verb"]) == ("alice", "change_roles")
    assert event["before"]["roles"] == ["editor"]
    assert event["after"]["roles"] == ["analyst"]


@pytest.mark.parametrize("role", NOT_OWNERS)
def test_it_hides_the_audit_log_from_other_roles(api_as, workspace, bob, role):
    set_roles(bob, workspace, role)
    assert_problem(api_as(bob).get("/api/v1/workspaces/lumen/audit"), 403)


def test_it_hides_the_audit_log_from_an_outsider(api_as, alice, charlie):
    assert_problem(api_as(charlie).get("/api/v1/workspaces/lumen/audit"), 404)


def test_it_reads_the_audit_log_in_a_fixed_number_of_queries(
    api_as, workspace, alice, bob, django_assert_max_num_queries
):
    client = api_as(alice)
    for roles in (["analyst"], ["guest"], ["editor"], ["approver"]):
        client.put(f"{MEMBERS}/{member_id(bob, workspace)}/roles", {"roles": roles})
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/workspaces/lumen/audit").json()["count"] == 4
