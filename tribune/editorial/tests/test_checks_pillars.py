"""The content-pillar mix against its targets over a rolling window."""

from datetime import date, timedelta

from tribune.editorial.checks import check_scheduling, run_checks
from tribune.editorial.models import ContentPillar

from .checks_helpers import NOW, at, only, post


def pillars(workspace):
    return (
        ContentPillar.objects.create(workspace=workspace, name="Products", target_share=40),
        ContentPillar.objects.create(
            workspace=workspace, name="Behind the scenes", target_share=30
        ),
        ContentPillar.objects.create(workspace=workspace, name="Advice", target_share=30),
    )


def test_it_flags_a_pillar_above_and_those_below_their_targets(workspace):
    only(workspace, "pillar_mix", pillar_window_days=7, pillar_tolerance=15)
    products, scenes, advice = pillars(workspace)
    for day in range(3, 8):
        post(workspace, at(day), pillar=products)
    findings = run_checks(workspace, date(2025, 3, 7), date(2025, 3, 8), now=NOW)
    assert {(f.pillar_id, "above" in f.message) for f in findings} == {
        (products.pk, True),
        (scenes.pk, False),
        (advice.pk, False),
    }
    [over] = [f for f in findings if f.pillar_id == products.pk]
    assert "100%" in over.message and "target of 40%" in over.message
    assert "fewer Products posts" in over.fix


def test_it_accepts_a_share_exactly_at_the_tolerance(workspace):
    only(workspace, "pillar_mix", pillar_window_days=28, pillar_tolerance=15)
    products, scenes, advice = pillars(workspace)
    # 11 of 20 = 55% = 40 + 15; 5 of 20 = 25%; 4 of 20 = 20%, which is 10 below 30.
    for n, pillar in enumerate([products] * 11 + [scenes] * 5 + [advice] * 4):
        post(workspace, at(1, 0) - timedelta(hours=n), pillar=pillar)
    findings = run_checks(workspace, date(2025, 3, 1), date(2025, 3, 2), now=NOW)
    assert findings == []
    post(workspace, at(1, 8), pillar=products)  # 12 of 21 = 57%
    findings = run_checks(workspace, date(2025, 3, 1), date(2025, 3, 2), now=NOW)
    assert [f.pillar_id for f in findings] == [products.pk]


def test_it_says_nothing_below_five_posts(workspace):
    only(workspace, "pillar_mix", pillar_window_days=7)
    products, *_ = pillars(workspace)
    for day in range(3, 7):
        post(workspace, at(day), pillar=products)
    assert run_checks(workspace, date(2025, 3, 6), date(2025, 3, 7), now=NOW) == []
    post(workspace, at(6, 12), pillar=products)
    assert run_checks(workspace, date(2025, 3, 6), date(2025, 3, 7), now=NOW) != []


def test_it_rolls_the_window_and_reports_one_run_per_pillar(workspace):
    only(workspace, "pillar_mix", pillar_window_days=7, pillar_tolerance=15)
    products, scenes, advice = pillars(workspace)
    for day in range(3, 8):
        post(workspace, at(day), pillar=products)
    # Windows ending 7 to 9 March hold the five posts; the window ending 10 March only four.
    findings = run_checks(workspace, date(2025, 3, 1), date(2025, 3, 15), now=NOW)
    [over] = [f for f in findings if f.pillar_id == products.pk]
    assert over.day == date(2025, 3, 7)
    assert "7-day window" in over.where


def test_it_ignores_posts_without_pillar_and_workspaces_without_targets(workspace):
    only(workspace, "pillar_mix", pillar_window_days=7)
    for day in range(3, 9):
        post(workspace, at(day))
    assert run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW) == []
    ContentPillar.objects.create(workspace=workspace, name="Zero", target_share=0)
    assert run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW) == []


def test_it_warns_when_scheduling_a_post_would_overload_its_pillar(workspace):
    only(workspace, "pillar_mix", pillar_window_days=7, pillar_tolerance=5)
    products, scenes, advice = pillars(workspace)
    # 2 of 5 = 40%: on target. One more Products post makes it 3 of 6 = 50%.
    for day, pillar in zip(range(3, 8), [products, products, scenes, advice, scenes], strict=True):
        post(workspace, at(day), pillar=pillar)
    extra = post(workspace, None, pillar=products)
    blocking, warnings = check_scheduling(extra, at(8), now=NOW)
    [finding] = warnings
    assert blocking == [] and finding.post_id == extra.pk and finding.pillar_id == products.pk
    # With 10 points of tolerance, 2 Advice posts of 5 (40%) are within 30 ± 10.
    only(workspace, "pillar_mix", pillar_window_days=7, pillar_tolerance=10)
    calm = post(workspace, None, pillar=advice)
    assert check_scheduling(calm, at(8), now=NOW) == ([], [])
