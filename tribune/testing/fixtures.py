"""The three people every permission test needs (healthchecks' convention).

alice owns the workspace, bob is a member with a role given per test, charlie
belongs to another workspace and must see nothing of alice's.
"""

from __future__ import annotations

import os

import pytest

from tribune.workspaces.models import Membership, User, Workspace
from tribune.workspaces.roles import Role


def require(reason: str | None) -> None:
    """Skip with a one-line reason, or fail when CI=true: CI must run everything."""
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and a required service is missing: {reason}")
    pytest.skip(reason)


def make_user(username: str, language: str = "en") -> User:
    return User.objects.create_user(
        username, f"{username}@example.org", "password-123", language=language
    )


@pytest.fixture
def workspace(db) -> Workspace:
    return Workspace.objects.create(name="Atelier Lumen", slug="lumen", time_zone="Europe/Paris")


@pytest.fixture
def alice(workspace) -> User:
    user = make_user("alice")
    Membership.objects.create(workspace=workspace, user=user, roles=[Role.OWNER])
    return user


@pytest.fixture
def bob(workspace) -> User:
    user = make_user("bob")
    Membership.objects.create(workspace=workspace, user=user, roles=[Role.EDITOR])
    return user


@pytest.fixture
def charlie(db) -> User:
    user = make_user("charlie")
    other = Workspace.objects.create(name="Other brand", slug="other")
    Membership.objects.create(workspace=other, user=user, roles=[Role.OWNER])
    return user


def set_roles(user: User, workspace: Workspace, *roles: str, scopes: dict | None = None) -> None:
    Membership.objects.filter(user=user, workspace=workspace).update(
        roles=list(roles), network_scopes=scopes or {}
    )
