"""Posts without persona or objective, and what the plan leaves out of the strategy."""

from datetime import date, timedelta

from tribune.editorial.checks import RULES, check_scheduling, run_checks
from tribune.strategy.models import Objective, Persona

from .checks_helpers import NOW, at, choose, only, post


def objective(workspace, title="Sell more beans", deadline=date(2025, 12, 31)):
    return Objective.objects.create(
        workspace=workspace,
        title=title,
        lever="sales",
        kpi="sales",
        baseline=1,
        target=2,
        deadline=deadline,
    )


def test_it_flags_posts_that_target_no_persona_or_serve_no_objective(workspace):
    only(workspace, "post_without_persona", "post_without_objective")
    camille = Persona.objects.create(workspace=workspace, name="Camille")
    goal = objective(workspace)
    bare = post(workspace, at(3), title="Bare")
    full = post(workspace, at(4), persona=camille)
    full.objectives.add(goal)
    findings = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW)
    assert {(f.rule, f.post_id) for f in findings} == {
        ("post_without_persona", bare.pk),
        ("post_without_objective", bare.pk),
    }


def test_it_flags_personas_and_objectives_no_post_serves_in_the_coming_weeks(workspace):
    only(workspace, "persona_not_served", "objective_not_served", coverage_weeks=2)
    served = Persona.objects.create(workspace=workspace, name="Camille")
    forgotten = Persona.objects.create(workspace=workspace, name="Marc")
    goal = objective(workspace, "Served")
    late_goal = objective(workspace, "Only served too late")
    objective(workspace, "Over", deadline=date(2025, 2, 1))  # past its deadline: not asked
    post(workspace, NOW + timedelta(days=13), persona=served).objectives.add(goal)
    post(workspace, NOW + timedelta(days=14), persona=forgotten).objectives.add(late_goal)
    findings = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW)
    assert {(f.rule, f.persona_id or f.objective_id) for f in findings} == {
        ("persona_not_served", forgotten.pk),
        ("objective_not_served", late_goal.pk),
    }
    persona_finding = next(f for f in findings if f.persona_id)
    assert "next 2 weeks" in persona_finding.message and "Marc" in persona_finding.fix


def test_it_flags_chosen_networks_with_nothing_planned_in_the_window(workspace):
    only(workspace, "network_not_planned")
    choose(workspace, "linkedin")
    choose(workspace, "bluesky")
    post(workspace, at(5), ["linkedin", "mastodon"])
    [finding] = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW)
    assert finding.network == "bluesky" and "Bluesky" in finding.message
    # A window that is over cannot be planned any more.
    assert run_checks(workspace, date(2025, 2, 3), date(2025, 2, 10), now=NOW) == []


def test_it_runs_nothing_for_rules_turned_off(workspace, django_assert_max_num_queries):
    only(workspace)
    post(workspace, at(3))
    with django_assert_max_num_queries(1):
        assert run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW) == []


def test_it_uses_the_same_number_of_queries_whatever_the_number_of_posts(
    workspace, django_assert_max_num_queries
):
    only(workspace, *RULES)
    choose(workspace, "linkedin", low=1, high=2)
    camille = Persona.objects.create(workspace=workspace, name="Camille")
    for n in range(60):
        post(workspace, at(1) + timedelta(hours=20 * n), persona=camille, text=f"Post {n}")
    with django_assert_max_num_queries(10):
        findings = run_checks(workspace, date(2025, 3, 1), date(2025, 4, 1), now=NOW)
    assert {f.rule for f in findings} >= {"frequency_high", "post_without_objective"}


def test_it_counts_the_post_being_scheduled_once_and_in_its_new_week(workspace):
    only(workspace, "frequency_high", "frequency_low")
    choose(workspace, "linkedin", low=1, high=2)
    post(workspace, at(3))
    mine = post(workspace, at(4))
    # Moving within the week: still 2 posts, the maximum.
    assert check_scheduling(mine, at(5), now=NOW) == ([], [])
    other = post(workspace, None)
    _blocking, [too_many] = check_scheduling(other, at(6), now=NOW)
    assert too_many.rule == "frequency_high" and too_many.post_id == other.pk
    # Moving `mine` to the next week leaves one post in its week: the minimum.
    assert check_scheduling(mine, at(11), now=NOW) == ([], [])
    lonely = post(workspace, at(13))
    # Moving the only post of the week of 10 March leaves that week empty.
    _blocking, warnings = check_scheduling(lonely, at(7), now=NOW)
    assert {(f.rule, f.day) for f in warnings} == {
        ("frequency_low", date(2025, 3, 10)),
        ("frequency_high", date(2025, 3, 3)),
    }
    too_few = next(f for f in warnings if f.rule == "frequency_low")
    assert too_few.post_id == lonely.pk and "0 posts are planned" in too_few.message


def test_it_lets_owners_make_any_rule_block(workspace):
    settings = only(workspace)
    settings.severities = {"post_without_persona": "block", "post_without_objective": "warn"}
    settings.save()
    mine = post(workspace, None)
    blocking, warnings = check_scheduling(mine, at(3), now=NOW)
    assert [f.rule for f in blocking] == ["post_without_persona"]
    assert "post_without_objective" in [f.rule for f in warnings]
    assert "persona_not_served" not in [f.rule for f in blocking + warnings]


def test_it_checks_one_post_in_a_fixed_number_of_queries(workspace, django_assert_max_num_queries):
    only(workspace, *RULES)
    choose(workspace, "linkedin", low=1, high=2)
    for n in range(40):
        post(workspace, at(1) + timedelta(hours=12 * n), text=f"Post {n}")
    mine = post(workspace, at(20))
    with django_assert_max_num_queries(12):
        blocking, warnings = check_scheduling(mine, at(5), now=NOW)
    assert blocking == [] and "frequency_high" in {f.rule for f in warnings}
