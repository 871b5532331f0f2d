"""The strategy plan page: steps 1–4 on one page, for any member, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from tribune.strategy.choices import Kpi, Lever
from tribune.strategy.models import NetworkChoice, Objective, Persona, SpeakingPolicy
from tribune.strategy.plan import gather_plan, response_time_text
from tribune.testing.fixtures import make_user, set_roles
from tribune.workspaces.models import Membership, Workspace
from tribune.workspaces.roles import Role

pytestmark = pytest.mark.django_db

NETWORKS = ["linkedin", "instagram"]


def fill_workspace(workspace: Workspace, size: int) -> None:
    """Give the workspace `size` personas, objectives and members, and a policy per network."""
    members = [
        Membership.objects.create(
            workspace=workspace,
            user=make_user(f"{workspace.slug}-member{i}"),
            roles=[Role.PUBLISHER],
            network_scopes={"publisher": ["linkedin"]} if i % 2 else {},
        )
        for i in range(size)
    ]
    personas = [
        Persona.objects.create(
            workspace=workspace,
            name=f"Persona {i:03d}",
            networks=NETWORKS,
            expectations=f"Expects tips {i}",
            needs=f"Needs proof {i}",
        )
        for i in range(size)
    ]
    for i in range(size):
        objective = Objective.objects.create(
            workspace=workspace,
            title=f"Objective {i:03d}",
            lever=Lever.VISIBILITY,
            kpi=Kpi.RESPONSE_TIME if i % 2 else Kpi.NEW_FOLLOWERS,
            baseline=Decimal(100 + i),
            target=Decimal(50 if i % 2 else 1000 + i),
            deadline=date.today() + timedelta(days=30 + i),
            owner=members[i],
            networks=NETWORKS,
        )
        objective.personas.add(*personas[:3])
    for key in NETWORKS:
        choice = NetworkChoice.objects.create(
            workspace=workspace,
            network=key,
            rationale=f"Because {key} reaches buyers",
            min_posts_per_week=2,
            max_posts_per_week=4,
        )
        choice.personas.add(*personas)
        choice.objectives.add(*Objective.objects.filter(workspace=workspace))
        policy = SpeakingPolicy.objects.create(
            choice=choice,
            tone=f"Warm on {key}",
            response_time_minutes=120,
            escalation_contact=members[0],
            escalation_notes="Legal threats",
        )
        policy.publishers.add(*members)
        policy.responders.add(*members[:2])
        policy.moderators.add(members[-1])


def test_it_shows_the_plan_to_any_member_and_hides_it_from_others(
    client, workspace, alice, bob, charlie
):
    url = reverse("plan", args=[workspace.slug])
    for user, status in ((alice, 200), (bob, 200), (charlie, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    set_roles(bob, workspace, Role.GUEST)
    client.force_login(bob)
    assert client.get(url).status_code == 200


def test_it_sends_anonymous_visitors_to_log_in(client, workspace):
    response = client.get(reverse("plan", args=[workspace.slug]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_shows_every_step_of_the_strategy(client, workspace, alice):
    fill_workspace(workspace, 2)
    client.force_login(alice)
    page = client.get(reverse("plan", args=[workspace.slug])).content.decode()
    # Step 1, with the method's three questions.
    assert "Persona 000" in page and "Persona 001" in page
    for question in ("Where is my target?", "What does it expect?", "What does it need?"):
        assert question in page
    assert "Expects tips 1" in page and "Needs proof 0" in page
    # Step 2.
    assert "Objective 000" in page and "Response time (minutes)" in page
    assert "lower is better" in page and "lumen-member0" in page
    # Step 3, names from the reference data.
    assert "LinkedIn" in page and "Instagram" in page
    assert "Because linkedin reaches buyers" in page
    assert "2 to 4 posts a week" in page
    # Step 4.
    assert "Warm on instagram" in page and "2 hours" in page and "Legal threats" in page
    assert "Publisher (LinkedIn)" in page  # a scoped role names its networks
    assert reverse("plan-pdf", args=[workspace.slug]) in page


def test_it_says_when_a_step_is_empty(client, workspace, alice):
    client.force_login(alice)
    page = client.get(reverse("plan", args=[workspace.slug])).content.decode()
    for text in (
        "No persona yet.",
        "No objective yet.",
        "No network chosen yet.",
        "No speaking policy yet.",
    ):
        assert text in page


def test_it_renders_a_chosen_network_without_a_policy(client, workspace, alice):
    NetworkChoice.objects.create(workspace=workspace, network="linkedin", rationale="B2B buyers")
    client.force_login(alice)
    page = client.get(reverse("plan", args=[workspace.slug])).content.decode()
    assert "B2B buyers" in page and "No speaking policy yet." in page and "Not set." in page


def test_it_shows_no_other_workspaces_data(client, workspace, alice, charlie):
    other = Workspace.objects.get(slug="other")
    Persona.objects.create(workspace=other, name="Foreign persona")
    NetworkChoice.objects.create(workspace=other, network="linkedin", rationale="Foreign why")
    client.force_login(alice)
    page = client.get(reverse("plan", args=[workspace.slug])).content.decode()
    assert "Foreign persona" not in page and "Foreign why" not in page


def test_it_gathers_the_plan_in_a_fixed_number_of_queries(
    workspace, alice, django_assert_max_num_queries
):
    fill_workspace(workspace, 3)
    with django_assert_max_num_queries(8) as small:
        gather_plan(workspace)
    big = Workspace.objects.create(name="Bigger", slug="bigger")
    fill_workspace(big, 40)
    with django_assert_max_num_queries(8) as large:
        plan = gather_plan(big)
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(plan.personas) == 40 and len(plan.objectives) == 40 and len(plan.policies) == 2


def test_it_renders_a_large_plan_in_at_most_17_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    fill_workspace(workspace, 60)
    client.force_login(alice)
    # 14 for the plan, and its measures: the objectives with their personas, then one
    # query per source of figures in use (here the rollup counters, for new followers).
    with django_assert_max_num_queries(17):
        response = client.get(reverse("plan", args=[workspace.slug]))
    page = response.content.decode()
    assert "Persona 059" in page and "Objective 059" in page and "lumen-member59" in page


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, ""),
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (90, "1 h 30 min"),
        (180, "3 hours"),
        (1440, "1 day"),
        (2880, "2 days"),
    ],
)
def test_it_writes_response_times_in_words(minutes, text):
    assert response_time_text(minutes) == text


def test_it_names_who_publishes_responds_and_moderates_on_each_network(workspace, alice):
    fill_workspace(workspace, 3)
    names = lambda members: [m.user.username for m in members]  # noqa: E731
    plan = gather_plan(workspace)
    assert [e.name for e in plan.policies] == ["Instagram", "LinkedIn"]
    for entry in plan.policies:
        assert names(entry.publishers) == ["lumen-member0", "lumen-member1", "lumen-member2"]
        assert names(entry.responders) == ["lumen-member0", "lumen-member1"]
        assert names(entry.moderators) == ["lumen-member2"]
        assert entry.policy.escalation_contact.user.username == "lumen-member0"
        assert entry.response_time == "2 hours"


def test_it_leaves_out_a_policy_person_who_is_not_in_the_workspace(workspace, alice, charlie):
    choice = NetworkChoice.objects.create(workspace=workspace, network="linkedin", rationale="B2B")
    policy = SpeakingPolicy.objects.create(choice=choice)
    policy.publishers.add(Membership.objects.get(user=charlie), Membership.objects.get(user=alice))
    plan = gather_plan(workspace)
    assert [m.user.username for m in plan.policies[0].publishers] == ["alice"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_passes_axe_on_the_plan_and_objective_pages(page):
    from tribune.strategy.models import Objective as Obj
    from tribune.testing.browser import axe_violations, sign_in
    from tribune.workspaces.demo import SLUG, create_demo

    username, password = create_demo()
    sign_in(page, username, password)
    objective = Obj.objects.filter(workspace__slug=SLUG).first()
    for path in (
        f"/w/{SLUG}/plan/",
        f"/w/{SLUG}/objectives/",
        f"/w/{SLUG}/objectives/?lever=visibility",
        f"/w/{SLUG}/objectives/{objective.pk}/",
        f"/w/{SLUG}/objectives/new/",
    ):
        page.goto(path)
        assert page.title().endswith("Tribune"), path
        assert axe_violations(page) == [], path
    # The form with its errors shown beside the fields.
    page.goto(f"/w/{SLUG}/objectives/new/")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_title_error").is_visible()
    assert axe_violations(page) == []


LOCMEM = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "plan-test"}
}


def test_it_serves_the_plan_again_from_cache_until_the_strategy_changes(
    client, workspace, alice, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    settings.CACHES = LOCMEM
    cache.clear()
    client.force_login(alice)
    url = reverse("plan", args=[workspace.slug])
    client.post(
        reverse("persona-create", args=[workspace.slug]), {"name": "Avant", "audience": "b2c"}
    )
    assert "Avant" in client.get(url).content.decode()
    # session, user, membership, plan version, workspace switcher, unread
    # notifications: none of the plan; and the objectives to measure (never cached).
    with django_assert_max_num_queries(7):
        assert "Avant" in client.get(url).content.decode()
    client.post(
        reverse("persona-create", args=[workspace.slug]), {"name": "Après", "audience": "b2b"}
    )
    assert "Après" in client.get(url).content.decode()
