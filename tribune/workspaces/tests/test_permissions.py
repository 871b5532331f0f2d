"""The role × action table, walked for every role, plus an outsider.

The expected table is written out here on purpose, apart from roles.py, so a
change to the permissions shows up as a failing test and a conscious edit.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.roles import Action, Role, allows

# action: roles that may do it
EXPECTED = {
    "view_plan": "owner strategist editor approver publisher responder moderator analyst guest",
    "edit_strategy": "owner strategist",
    "edit_speaking_policy": "owner strategist",
    "write_posts": "owner strategist editor",
    "approve_posts": "owner approver",
    "publish": "owner publisher",
    "respond": "owner responder",
    "moderate": "owner moderator",
    "view_analytics": "owner strategist analyst",
    "enter_figures": "owner strategist analyst",
    "manage_reports": "owner strategist analyst",
    "manage_members": "owner",
    "manage_workspace": "owner",
    "view_audit": "owner",
}


def test_it_covers_every_action():
    assert set(EXPECTED) == set(Action.values)


@pytest.mark.parametrize("role", Role.values)
def test_it_walks_the_whole_table_for_each_role(role, workspace, bob):
    set_roles(bob, workspace, role)
    for action, allowed in EXPECTED.items():
        if role in allowed.split():
            access = access_workspace(bob, workspace.slug, Action(action))
            assert access.workspace == workspace
        else:
            with pytest.raises(PermissionDenied):
                access_workspace(bob, workspace.slug, Action(action))


@pytest.mark.parametrize("action", Action.values)
def test_it_hides_the_workspace_from_an_outsider(action, workspace, alice, charlie):
    with pytest.raises(Http404):
        access_workspace(charlie, workspace.slug, Action(action))


def test_it_treats_a_missing_workspace_like_a_foreign_one(charlie):
    with pytest.raises(Http404):
        access_workspace(charlie, "no-such-workspace")


def test_it_combines_several_roles(workspace, bob):
    set_roles(bob, workspace, Role.EDITOR, Role.ANALYST)
    access = access_workspace(bob, workspace.slug)
    assert access.can(Action.WRITE_POSTS)
    assert access.can(Action.VIEW_ANALYTICS)
    assert not access.can(Action.PUBLISH)


def test_it_limits_a_scoped_role_to_its_networks():
    scopes = {"publisher": ["linkedin"]}
    assert allows({"publisher"}, scopes, Action.PUBLISH, "linkedin")
    assert not allows({"publisher"}, scopes, Action.PUBLISH, "instagram")
    # No network named: may publish somewhere.
    assert allows({"publisher"}, scopes, Action.PUBLISH, None)
    # An empty scope means every network.
    assert allows({"publisher"}, {"publisher": []}, Action.PUBLISH, "instagram")
    # Owners are never limited.
    assert allows({"owner", "publisher"}, scopes, Action.PUBLISH, "instagram")


def test_it_ignores_unknown_role_names():
    assert not allows({"superhero"}, {}, Action.VIEW_PLAN, None)


def test_it_refuses_an_inactive_user(workspace, bob):
    bob.is_active = False
    bob.save()
    with pytest.raises(Http404):
        access_workspace(bob, workspace.slug)
