from django.urls import reverse

from tribune.testing.fixtures import make_user
from tribune.workspaces.models import AuditEvent, Membership, Workspace


def test_it_creates_a_workspace_with_its_creator_as_owner(client, db):
    dan = make_user("dan")
    client.force_login(dan)
    response = client.post(
        reverse("workspace-create"),
        {
            "name": "Studio Nord",
            "slug": "studio-nord",
            "language": "en",
            "time_zone": "Europe/Brussels",
        },
    )
    assert response.status_code == 302
    ws = Workspace.objects.get(slug="studio-nord")
    assert Membership.objects.get(workspace=ws, user=dan).roles == ["owner"]
    assert AuditEvent.objects.filter(workspace=ws, verb="create").exists()


def test_it_refuses_an_unknown_time_zone(client, db):
    client.force_login(make_user("dan"))
    response = client.post(
        reverse("workspace-create"),
        {
            "name": "X",
            "slug": "x",
            "language": "en",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert not Workspace.objects.filter(slug="x").exists()


def test_it_switches_between_workspaces(client, workspace, alice):
    other = Workspace.objects.create(name="Second", slug="second")
    Membership.objects.create(workspace=other, user=alice, roles=["guest"])
    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200  # two: a list to choose from
    response = client.get(reverse("home"), {"w": "second"})
    assert response.headers["Location"] == reverse("workspace-overview", args=["second"])


def test_it_does_not_switch_to_a_foreign_workspace(client, workspace, alice, charlie):
    client.force_login(charlie)
    response = client.get(reverse("home"), {"w": workspace.slug})
    assert response.headers["Location"] == reverse("workspace-overview", args=["other"])


def test_it_lets_owners_change_settings(client, workspace, alice, bob):
    client.force_login(alice)
    url = reverse("workspace-settings", args=[workspace.slug])
    data = {
        "name": "Atelier Lumen SARL",
        "slug": "lumen",
        "language": "en",
        "time_zone": "America/Montreal",
    }
    assert client.post(url, data).status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.time_zone) == ("Atelier Lumen SARL", "America/Montreal")
    event = AuditEvent.objects.get(verb="update")
    assert event.before["time_zone"] == "Europe/Paris"
    client.force_login(bob)
    assert client.post(url, data).status_code == 403


def test_it_shows_dates_in_the_workspace_time_zone(client, workspace, alice):
    workspace.time_zone = "Asia/Tokyo"
    workspace.save()
    client.force_login(alice)
    response = client.get(reverse("workspace-overview", args=[workspace.slug]))
    assert b"Asia/Tokyo" in response.content
