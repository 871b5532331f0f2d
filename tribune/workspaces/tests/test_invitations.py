from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tribune.testing.fixtures import make_user, set_roles
from tribune.workspaces.actions import access_workspace, do_create_invitation
from tribune.workspaces.models import AuditEvent, Invitation, Membership, User


def invite(workspace, alice, roles=("publisher",), scopes=None):
    access = access_workspace(alice, workspace.slug)
    return do_create_invitation(access, list(roles), scopes or {})


def test_it_shows_the_link_once_and_stores_only_a_hash(client, workspace, alice):
    client.force_login(alice)
    url = reverse("invitation-create", args=[workspace.slug])
    response = client.post(url, {"roles": ["editor", "publisher"], "scope_publisher": ["linkedin"]})
    assert response.status_code == 200
    link = response.context["link"]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash
    assert invitation.roles == ["editor", "publisher"]
    assert invitation.network_scopes == {"publisher": ["linkedin"]}
    assert client.get(url).context["link"] is None


def test_it_lets_an_account_holder_join(client, workspace, alice):
    _inv, token = invite(workspace, alice)
    dan = make_user("dan")
    client.force_login(dan)
    response = client.post(reverse("invitation-accept", args=[token]))
    assert response.status_code == 302
    membership = Membership.objects.get(user=dan, workspace=workspace)
    assert membership.roles == ["publisher"]
    assert AuditEvent.objects.filter(workspace=workspace, verb="join").exists()


def test_it_lets_a_newcomer_sign_up_and_join(client, workspace, alice):
    _inv, token = invite(workspace, alice, roles=("guest",))
    response = client.post(
        reverse("invitation-accept", args=[token]),
        {
            "username": "eve",
            "first_name": "Eve",
            "last_name": "Martin",
            "email": "eve@example.org",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )
    assert response.status_code == 302
    eve = User.objects.get(username="eve")
    assert Membership.objects.get(user=eve).roles == ["guest"]


def test_it_keeps_the_invitation_when_sign_up_fails(client, workspace, alice):
    _inv, token = invite(workspace, alice)
    response = client.post(
        reverse("invitation-accept", args=[token]),
        {
            "username": "eve",
            "password1": "short",
            "password2": "other",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Invitation.objects.get().used_at is None
    assert not User.objects.filter(username="eve").exists()


def test_it_is_single_use(client, workspace, alice):
    _inv, token = invite(workspace, alice)
    client.force_login(make_user("dan"))
    client.post(reverse("invitation-accept", args=[token]))
    client.force_login(make_user("fred"))
    assert client.post(reverse("invitation-accept", args=[token])).status_code == 404
    assert not Membership.objects.filter(user__username="fred").exists()


def test_it_expires(client, workspace, alice):
    _inv, token = invite(workspace, alice)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(make_user("dan"))
    assert client.get(reverse("invitation-accept", args=[token])).status_code == 404


def test_it_can_be_revoked(client, workspace, alice):
    invitation, token = invite(workspace, alice)
    client.force_login(alice)
    client.post(reverse("invitation-revoke", args=[workspace.slug, invitation.pk]))
    client.force_login(make_user("dan"))
    assert client.get(reverse("invitation-accept", args=[token])).status_code == 404


def test_it_refuses_an_unknown_token(client, db):
    assert client.get(reverse("invitation-accept", args=["nope"])).status_code == 404


@pytest.mark.parametrize("role", ["strategist", "editor", "publisher", "guest"])
def test_it_lets_only_owners_invite(client, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    client.force_login(bob)
    url = reverse("invitation-create", args=[workspace.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, {"roles": ["owner"]}).status_code == 403
    assert not Invitation.objects.exists()


def test_it_hides_invitations_from_outsiders(client, workspace, alice, charlie):
    invitation, _token = invite(workspace, alice)
    client.force_login(charlie)
    assert client.get(reverse("invitation-create", args=[workspace.slug])).status_code == 404
    url = reverse("invitation-revoke", args=[workspace.slug, invitation.pk])
    assert client.post(url).status_code == 404
    assert (
        client.post(reverse("invitation-revoke", args=["other", invitation.pk])).status_code == 404
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
