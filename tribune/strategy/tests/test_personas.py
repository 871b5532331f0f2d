import pytest
from django.urls import reverse

from tribune.strategy.models import Persona
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent

VALID = {
    "name": "Camille",
    "audience": "b2c",
    "age_min": "25",
    "age_max": "40",
    "networks": ["linkedin"],
    "formats": ["image", "video"],
    "expectations": "Conseils",
    "needs": "Choisir vite",
}


def test_it_creates_a_persona_and_audits_it(client, workspace, alice):
    client.force_login(alice)
    response = client.post(reverse("persona-create", args=[workspace.slug]), VALID)
    persona = Persona.objects.get()
    assert response.headers["Location"] == reverse(
        "persona-detail", args=[workspace.slug, persona.pk]
    )
    assert (persona.workspace, persona.networks, persona.formats) == (
        workspace,
        ["linkedin"],
        ["image", "video"],
    )
    event = AuditEvent.objects.get(verb="create", object_type="persona")
    assert event.after["name"] == "Camille" and event.before is None


def test_it_answers_the_three_questions_on_the_persona_page(client, workspace, alice):
    persona = Persona.objects.create(
        workspace=workspace,
        name="Marc",
        networks=["linkedin"],
        expectations="Un interlocuteur réactif",
        needs="Un café constant",
    )
    client.force_login(alice)
    page = client.get(reverse("persona-detail", args=[workspace.slug, persona.pk])).content.decode()
    assert "Where is my target?" in page and "LinkedIn" in page
    assert "What does it expect?" in page and "Un interlocuteur réactif" in page
    assert "What does it need?" in page and "Un café constant" in page


@pytest.mark.parametrize(
    "data, field",
    [
        ({**VALID, "name": ""}, "name"),
        ({**VALID, "age_min": "50", "age_max": "30"}, "age_max"),
        ({**VALID, "age_min": "5"}, "age_min"),
        ({**VALID, "networks": ["myspace"]}, "networks"),
        ({**VALID, "networks": ["skype"]}, "networks"),
        ({**VALID, "formats": ["hologram"]}, "formats"),
        ({**VALID, "audience": "b2x"}, "audience"),
    ],
)
def test_it_shows_errors_beside_the_field_and_saves_nothing(client, workspace, alice, data, field):
    client.force_login(alice)
    response = client.post(reverse("persona-create", args=[workspace.slug]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Persona.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_edits_and_records_before_and_after(client, workspace, alice):
    persona = Persona.objects.create(workspace=workspace, name="Old")
    client.force_login(alice)
    client.post(
        reverse("persona-edit", args=[workspace.slug, persona.pk]), {**VALID, "name": "New"}
    )
    persona.refresh_from_db()
    assert persona.name == "New"
    event = AuditEvent.objects.get(verb="update")
    assert (event.before["name"], event.after["name"]) == ("Old", "New")


def test_it_deletes(client, workspace, alice):
    persona = Persona.objects.create(workspace=workspace, name="Gone")
    client.force_login(alice)
    client.post(reverse("persona-delete", args=[workspace.slug, persona.pk]))
    assert not Persona.objects.exists()
    assert AuditEvent.objects.get(verb="delete").before["name"] == "Gone"


@pytest.mark.parametrize(
    "role", ["editor", "approver", "publisher", "responder", "moderator", "analyst", "guest"]
)
def test_it_lets_every_member_read_but_only_strategists_write(client, workspace, alice, bob, role):
    persona = Persona.objects.create(workspace=workspace, name="P")
    set_roles(bob, workspace, role)
    client.force_login(bob)
    assert client.get(reverse("persona-list", args=[workspace.slug])).status_code == 200
    assert (
        client.get(reverse("persona-detail", args=[workspace.slug, persona.pk])).status_code == 200
    )
    assert client.post(reverse("persona-create", args=[workspace.slug]), VALID).status_code == 403
    assert (
        client.post(reverse("persona-edit", args=[workspace.slug, persona.pk]), VALID).status_code
        == 403
    )
    assert (
        client.post(reverse("persona-delete", args=[workspace.slug, persona.pk])).status_code == 403
    )
    assert Persona.objects.get().name == "P"


def test_it_lets_a_strategist_write(client, workspace, alice, bob):
    set_roles(bob, workspace, "strategist")
    client.force_login(bob)
    assert client.post(reverse("persona-create", args=[workspace.slug]), VALID).status_code == 302


def test_it_hides_personas_from_outsiders(client, workspace, alice, charlie):
    persona = Persona.objects.create(workspace=workspace, name="Secret")
    client.force_login(charlie)
    for name in ["persona-detail", "persona-edit", "persona-delete"]:
        url = reverse(name, args=[workspace.slug, persona.pk])
        assert client.post(url, VALID).status_code == 404
        # Through charlie's own workspace, the id is just as unknown.
        assert client.post(reverse(name, args=["other", persona.pk]), VALID).status_code == 404
    assert Persona.objects.get().name == "Secret"


def test_it_lists_personas_in_constant_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    Persona.objects.bulk_create(Persona(workspace=workspace, name=f"P{i}") for i in range(60))
    client.force_login(alice)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("persona-list", args=[workspace.slug]))
    assert response.content.count(b"/personas/") >= 60
