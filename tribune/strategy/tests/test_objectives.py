"""Step 2: objectives — list, detail, create, edit, delete, and their rules."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tribune.strategy.choices import Kpi, Lever
from tribune.strategy.models import Objective, Persona
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Membership, Workspace
from tribune.workspaces.roles import Role

pytestmark = pytest.mark.django_db


def make_objective(workspace: Workspace, **kwargs) -> Objective:
    values = {
        "title": "Grow LinkedIn audience",
        "lever": Lever.VISIBILITY,
        "kpi": Kpi.NEW_FOLLOWERS,
        "baseline": Decimal("100"),
        "target": Decimal("500"),
        "deadline": date.today() + timedelta(days=90),
    }
    values.update(kwargs)
    return Objective.objects.create(workspace=workspace, **values)


def form_data(workspace: Workspace, **overrides) -> dict:
    data = {
        "title": "Answer faster",
        "lever": Lever.PROXIMITY,
        "kpi": Kpi.RESPONSE_TIME,
        "kpi_label": "",
        "baseline": "240",
        "target": "60",
        "deadline": (date.today() + timedelta(days=60)).isoformat(),
        "owner": "",
        "networks": [],
        "notes": "",
    }
    data.update(overrides)
    return data


def owner_membership(workspace: Workspace, user) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


# --- permissions ----------------------------------------------------------------


def test_it_lets_any_member_read_but_hides_from_others(client, workspace, alice, bob, charlie):
    objective = make_objective(workspace)
    pages = [
        reverse("objective-list", args=[workspace.slug]),
        reverse("objective-detail", args=[workspace.slug, objective.pk]),
    ]
    for user, status in ((alice, 200), (bob, 200), (charlie, 404)):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == status, (user, url)


def test_it_lets_only_strategy_editors_write(client, workspace, alice, bob, charlie):
    objective = make_objective(workspace)
    urls = [
        reverse("objective-create", args=[workspace.slug]),
        reverse("objective-edit", args=[workspace.slug, objective.pk]),
    ]
    client.force_login(bob)  # editor: writes posts, not the strategy
    for url in urls:
        assert client.get(url).status_code == 403
    delete = reverse("objective-delete", args=[workspace.slug, objective.pk])
    assert client.post(delete).status_code == 403
    set_roles(bob, workspace, Role.STRATEGIST)
    for url in urls:
        assert client.get(url).status_code == 200
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 200
    client.force_login(charlie)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(delete).status_code == 404
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_it_hides_another_workspaces_objective(client, workspace, alice, charlie):
    other = Workspace.objects.get(slug="other")
    foreign = make_objective(other, title="Secret")
    client.force_login(alice)
    for name in ("objective-detail", "objective-edit"):
        assert client.get(reverse(name, args=[workspace.slug, foreign.pk])).status_code == 404
    delete = reverse("objective-delete", args=[workspace.slug, foreign.pk])
    assert client.post(delete).status_code == 404
    assert Objective.objects.filter(pk=foreign.pk).exists()


# --- list -------------------------------------------------------------------------


def test_it_groups_the_list_by_lever_and_filters(client, workspace, alice):
    make_objective(workspace, title="Be seen", lever=Lever.VISIBILITY)
    make_objective(workspace, title="Sell more", lever=Lever.SALES, kpi=Kpi.SALES)
    client.force_login(alice)
    url = reverse("objective-list", args=[workspace.slug])
    page = client.get(url).content.decode()
    assert "Be seen" in page and "Sell more" in page
    assert 'id="lever-visibility"' in page and 'id="lever-sales"' in page
    filtered = client.get(url, {"lever": Lever.SALES}).content.decode()
    assert "Sell more" in filtered and "Be seen" not in filtered
    # An unknown lever shows everything rather than an empty page.
    assert "Be seen" in client.get(url, {"lever": "nope"}).content.decode()


def test_it_shows_kpi_values_owner_personas_networks_and_direction(client, workspace, alice):
    persona = Persona.objects.create(workspace=workspace, name="Claire, buyer")
    objective = make_objective(
        workspace,
        title="Answer within the hour",
        kpi=Kpi.RESPONSE_TIME,
        baseline=Decimal("240"),
        target=Decimal("60"),
        owner=owner_membership(workspace, alice),
        networks=["linkedin"],
    )
    objective.personas.add(persona)
    client.force_login(alice)
    for url in (
        reverse("objective-list", args=[workspace.slug]),
        reverse("objective-detail", args=[workspace.slug, objective.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Response time (minutes)" in page
        assert "240" in page and "60" in page
        assert "alice" in page
        assert "Claire, buyer" in page
        assert "LinkedIn" in page
        assert "lower is better" in page
        assert "target goes the wrong way" not in page


def test_it_flags_a_target_against_the_kpi_direction(client, workspace, alice):
    objective = make_objective(workspace, baseline=Decimal("500"), target=Decimal("100"))
    client.force_login(alice)
    page = client.get(reverse("objective-detail", args=[workspace.slug, objective.pk]))
    assert "higher is better" in page.content.decode()
    assert "target goes the wrong way" in page.content.decode()


def test_it_lists_many_objectives_in_few_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    personas = [Persona.objects.create(workspace=workspace, name=f"P{i}") for i in range(5)]
    owner = owner_membership(workspace, alice)
    for i in range(40):
        o = make_objective(workspace, title=f"Objective {i}", owner=owner, networks=["linkedin"])
        o.personas.add(*personas)
    client.force_login(alice)
    url = reverse("objective-list", args=[workspace.slug])
    # 8, and where each stands: at most one query per source of figures (rollup counters,
    # follower levels, business figures), whatever the number of objectives.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.content.decode().count("Objective 3") == 11  # 3, 30..39


# --- create / edit / delete ---------------------------------------------------------


def test_it_creates_an_objective_and_audits_it(client, workspace, alice):
    persona = Persona.objects.create(workspace=workspace, name="Claire")
    owner = owner_membership(workspace, alice)
    client.force_login(alice)
    response = client.post(
        reverse("objective-create", args=[workspace.slug]),
        form_data(
            workspace, owner=owner.pk, personas=[persona.pk], networks=["linkedin", "instagram"]
        ),
    )
    objective = Objective.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == reverse("objective-detail", args=[workspace.slug, objective.pk])
    assert objective.owner == owner
    assert list(objective.personas.all()) == [persona]
    assert objective.networks == ["linkedin", "instagram"]
    event = AuditEvent.objects.get(workspace=workspace, verb="create")
    assert event.object_type == "objective" and event.after["title"] == "Answer faster"
    assert event.after["personas"] == [persona.pk]


def test_it_edits_an_objective_and_audits_before_and_after(client, workspace, alice):
    objective = make_objective(workspace)
    client.force_login(alice)
    response = client.post(
        reverse("objective-edit", args=[workspace.slug, objective.pk]),
        form_data(
            workspace,
            title="Grow faster",
            lever=Lever.VISIBILITY,
            kpi=Kpi.NEW_FOLLOWERS,
            baseline="100",
            target="900",
        ),
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.title == "Grow faster" and objective.target == Decimal("900")
    event = AuditEvent.objects.get(workspace=workspace, verb="update")
    assert event.before["title"] == "Grow LinkedIn audience"
    assert event.after["title"] == "Grow faster"


def test_it_deletes_an_objective_and_audits_it(client, workspace, alice):
    objective = make_objective(workspace)
    client.force_login(alice)
    response = client.post(reverse("objective-delete", args=[workspace.slug, objective.pk]))
    assert response.status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()
    event = AuditEvent.objects.get(workspace=workspace, verb="delete")
    assert event.before["title"] == "Grow LinkedIn audience"


def test_it_refuses_delete_by_get(client, workspace, alice):
    objective = make_objective(workspace)
    client.force_login(alice)
    response = client.get(reverse("objective-delete", args=[workspace.slug, objective.pk]))
    assert response.status_code == 405
    assert Objective.objects.filter(pk=objective.pk).exists()


# --- validation --------------------------------------------------------------------


def post_invalid(client, workspace, **overrides):
    response = client.post(
        reverse("objective-create", args=[workspace.slug]), form_data(workspace, **overrides)
    )
    assert response.status_code == 200
    assert not Objective.objects.exists()
    assert not AuditEvent.objects.filter(object_type="objective").exists()
    return response.context["form"].errors


def test_it_requires_a_name_for_a_custom_indicator(client, workspace, alice):
    client.force_login(alice)
    errors = post_invalid(client, workspace, kpi=Kpi.CUSTOM, kpi_label="  ")
    assert "kpi_label" in errors
    response = client.post(
        reverse("objective-create", args=[workspace.slug]),
        form_data(workspace, kpi=Kpi.CUSTOM, kpi_label="Newsletter sign-ups"),
    )
    assert response.status_code == 302
    assert Objective.objects.get().indicator_name == "Newsletter sign-ups"


def test_it_drops_a_custom_name_for_a_catalogue_indicator(client, workspace, alice):
    client.force_login(alice)
    client.post(
        reverse("objective-create", args=[workspace.slug]),
        form_data(workspace, kpi=Kpi.LIKES, kpi_label="leftover", baseline="1", target="2"),
    )
    assert Objective.objects.get().kpi_label == ""


def test_it_refuses_a_target_equal_to_the_baseline(client, workspace, alice):
    client.force_login(alice)
    errors = post_invalid(client, workspace, baseline="50", target="50.00")
    assert errors["target"] == ["The target must differ from the baseline."]


def test_it_refuses_an_unknown_lever_or_kpi(client, workspace, alice):
    client.force_login(alice)
    errors = post_invalid(client, workspace, lever="world_peace", kpi="vibes")
    assert "lever" in errors and "kpi" in errors


def test_it_refuses_a_past_deadline_on_create(client, workspace, alice):
    client.force_login(alice)
    yesterday = timezone.localdate(timezone=zoneinfo.ZoneInfo(workspace.time_zone)) - timedelta(1)
    errors = post_invalid(client, workspace, deadline=yesterday.isoformat())
    assert errors["deadline"] == ["The deadline must not be in the past."]


def test_it_judges_the_deadline_in_the_workspace_time_zone(client, workspace, alice):
    # UTC+14 and UTC-11 are always one or two calendar days apart, whatever the server's
    # clock says, so "today" in one is always past in the other.
    ahead, behind = zoneinfo.ZoneInfo("Pacific/Kiritimati"), zoneinfo.ZoneInfo("Pacific/Pago_Pago")
    today_ahead, today_behind = (
        timezone.localdate(timezone=ahead),
        timezone.localdate(timezone=behind),
    )
    assert today_behind < today_ahead
    client.force_login(alice)
    workspace.time_zone = "Pacific/Kiritimati"
    workspace.save()
    errors = post_invalid(client, workspace, deadline=today_behind.isoformat())
    assert "deadline" in errors
    workspace.time_zone = "Pacific/Pago_Pago"
    workspace.save()
    response = client.post(
        reverse("objective-create", args=[workspace.slug]),
        form_data(workspace, deadline=today_behind.isoformat()),
    )
    assert response.status_code == 302


def test_it_keeps_a_past_deadline_when_editing_other_fields(client, workspace, alice):
    objective = make_objective(workspace, deadline=date(2020, 1, 31))
    client.force_login(alice)
    url = reverse("objective-edit", args=[workspace.slug, objective.pk])
    data = form_data(
        workspace,
        title="Renamed",
        lever=objective.lever,
        kpi=objective.kpi,
        baseline="100",
        target="500",
        deadline="2020-01-31",
    )
    assert client.post(url, data).status_code == 302
    objective.refresh_from_db()
    assert objective.title == "Renamed"
    # Moving it to another past date is refused.
    response = client.post(url, {**data, "deadline": "2020-02-01"})
    assert response.status_code == 200 and "deadline" in response.context["form"].errors


def test_it_refuses_an_owner_from_another_workspace(client, workspace, alice, charlie):
    client.force_login(alice)
    foreign = Membership.objects.get(user=charlie)
    errors = post_invalid(client, workspace, owner=foreign.pk)
    assert "owner" in errors


def test_it_refuses_a_persona_from_another_workspace(client, workspace, alice, charlie):
    foreign = Persona.objects.create(workspace=Workspace.objects.get(slug="other"), name="X")
    client.force_login(alice)
    errors = post_invalid(client, workspace, personas=[foreign.pk])
    assert "personas" in errors


def test_it_refuses_closed_and_unknown_networks(client, workspace, alice):
    client.force_login(alice)
    assert "networks" in post_invalid(client, workspace, networks=["skype"])
    assert "networks" in post_invalid(client, workspace, networks=["myspace"])


def test_it_keeps_a_network_closed_since_it_was_picked(client, workspace, alice):
    objective = make_objective(workspace, networks=["skype", "linkedin"])
    client.force_login(alice)
    url = reverse("objective-edit", args=[workspace.slug, objective.pk])
    page = client.get(url).content.decode()
    assert "Skype (closed)" in page
    response = client.post(
        url,
        form_data(
            workspace,
            lever=objective.lever,
            kpi=objective.kpi,
            baseline="100",
            target="500",
            networks=["skype", "linkedin"],
        ),
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.networks == ["skype", "linkedin"]


def test_it_shows_errors_beside_their_fields(client, workspace, alice):
    client.force_login(alice)
    response = client.post(
        reverse("objective-create", args=[workspace.slug]),
        form_data(workspace, title="", baseline="5", target="5"),
    )
    page = response.content.decode()
    assert 'id="id_title_error"' in page
    assert 'id="id_target_error"' in page
    assert "The target must differ from the baseline." in page


def test_it_pages_a_long_list_in_the_levers_order(client, workspace, alice):
    deadline = date(2030, 1, 1)
    levers = [Lever.MONITORING, Lever.VISIBILITY]  # stored in the reverse of the method's order
    Objective.objects.bulk_create(
        Objective(workspace=workspace, title=f"O{i:02}", lever=levers[i % 2], kpi=Kpi.LIKES,
                  baseline=0, target=10, deadline=deadline)
        for i in range(60)
    )  # fmt: skip
    client.force_login(alice)
    url = reverse("objective-list", args=[workspace.slug])
    first = client.get(url)
    assert first.context["count"] == 60
    assert [(g[0], len(g[2])) for g in first.context["groups"]] == [
        ("visibility", 30),
        ("monitoring", 20),
    ]
    second = client.get(url, {"page": 2})
    assert [(g[0], len(g[2])) for g in second.context["groups"]] == [("monitoring", 10)]
    assert client.get(url, {"page": "999"}).context["page"].number == 2
