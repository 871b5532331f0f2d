"""The editorial calendar as a new user would use it, in a real browser, from the demo.

Claire (the demo's owner) composes a post for X, Bluesky and LinkedIn, sees
X's limit error come and go, gives the post a time, drags it to another day
and sends it for review; Malik (the demo's Approver) approves it. Then a
Hootsuite file with one bad row is refused whole, the fixed file is imported,
and the calendar check warns that LinkedIn's week is overloaded. axe-core
checks the composer, the calendar and the import pages on the way.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from tribune.editorial.checks import run_checks
from tribune.editorial.choices import PostState
from tribune.editorial.models import ImportJob, Post, Variant
from tribune.strategy.models import NetworkChoice
from tribune.testing.browser import axe_violations, sign_in
from tribune.workspaces.demo import SLUG, create_demo
from tribune.workspaces.models import User, Workspace

from .browser_steps import drag, move_url, wait_for_checks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = f"/w/{SLUG}"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")  # the demo workspace's zone
PASSWORD = "malik-password-123"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def check_axe(page) -> None:
    assert axe_violations(page) == [], page.url


def demo_team(language: str) -> str:
    """Create the demo; return Claire's password. Malik gets a password to sign in with."""
    username, password = create_demo()
    malik = User.objects.get(username="malik")
    malik.set_password(PASSWORD)
    malik.save()
    User.objects.filter(username__in=[username, "malik"]).update(language=language)
    Workspace.objects.filter(slug=SLUG).update(language=language)
    return password


def next_tuesday() -> date:
    """A Tuesday 8 to 14 days ahead: its week lies within the checks panel's 28 days,
    and Tuesday and Thursday share a row of the month grid whatever the month."""
    today = timezone.now().astimezone(PARIS).date()
    first = today + timedelta(days=8)
    return first + timedelta(days=(1 - first.weekday()) % 7)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_composes_moves_reviews_and_approves_a_post(page, language) -> None:
    password = demo_team(language)
    sign_in(page, "claire", password)
    assert page.locator("html").get_attribute("lang") == language

    # (1) Write once, for three networks.
    page.goto(f"{BASE}/posts/new/")
    check_axe(page)
    page.fill("input[name=title]", "Nouvelle origine : Éthiopie Guji")
    page.fill("textarea[name=body]", "Notre Guji lavé arrive à la brûlerie.")
    for network in ("x", "bluesky", "linkedin"):
        page.check(f"input[name=networks][value={network}]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{BASE}/posts/*/edit/")
    post = Post.objects.get(title="Nouvelle origine : Éthiopie Guji")
    assert sorted(post.variants.values_list("network", flat=True)) == ["bluesky", "linkedin", "x"]

    # A text too long for X (280) but within Bluesky's 300 and LinkedIn's 3,000.
    long_text = "Guji " * 57 + "Guji!"  # 290 characters
    for network in ("x", "bluesky", "linkedin"):
        page.fill(f"textarea[name=v-{network}-text]", long_text)
    x_problems = page.locator("#problems-x li.error")
    expect(x_problems).to_have_count(1)
    problem = x_problems.inner_text()
    assert "280" in problem and "290" in problem and "10" in problem  # by how much
    assert page.locator("#status-x .live-count").inner_text() == "290"
    expect(page.locator("#problems-bluesky li.error")).to_have_count(0)
    expect(page.locator("#problems-linkedin li.error")).to_have_count(0)
    check_axe(page)  # the composer, with its error showing

    short_text = "Notre Guji lavé arrive : notes de bergamote et de pêche."
    page.fill("textarea[name=v-x-text]", short_text)
    expect(x_problems).to_have_count(0)
    expect(page.locator("#status-x .live-count")).to_have_text(str(len(short_text)))
    page.locator("main form > p.toolbar button[type=submit]").click()
    page.wait_for_load_state()
    assert Variant.objects.get(post=post, network="x").text == short_text
    assert Variant.objects.get(post=post, network="bluesky").text == long_text

    # (2) A first time, by the "move to" form, then a drag to Thursday.
    tuesday = next_tuesday()
    thursday = tuesday + timedelta(days=2)
    page.goto(move_url(SLUG, post.pk))
    page.fill("input[name=date]", tuesday.isoformat())
    page.fill("input[name=time]", "10:00")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{BASE}/calendar/**")
    post.refresh_from_db()
    assert post.scheduled_at == datetime.combine(tuesday, time(10), PARIS).astimezone(UTC)

    page.goto(f"{BASE}/calendar/?date={tuesday.isoformat()}")
    event = page.locator(f'td.fc-daygrid-day[data-date="{tuesday}"] .fc-event')
    event.wait_for()
    wait_for_checks(page)
    check_axe(page)
    page.wait_for_load_state("networkidle")
    drag(page, event, page.locator(f'td.fc-daygrid-day[data-date="{thursday}"]'))
    page.locator("#calendar-status").filter(has_text="Guji").wait_for()
    page.locator(f'td.fc-daygrid-day[data-date="{thursday}"] .fc-event').wait_for()
    post.refresh_from_db()
    # Same wall-clock time in Paris, whatever the UTC offset of either day.
    assert post.scheduled_at.astimezone(PARIS) == datetime.combine(thursday, time(10), PARIS)
    assert post.state == PostState.DRAFT

    # (3) Send it for review, from the post's page.
    page.goto(f"{BASE}/posts/{post.pk}/")
    page.locator(f"main a[href='{BASE}/posts/{post.pk}/workflow/']").click()
    page.locator("button[name=to_state][value=in_review]").click()
    page.wait_for_load_state()
    post.refresh_from_db()
    assert post.state == PostState.IN_REVIEW
    page.context.clear_cookies()

    # (4) Malik, the Approver, approves it.
    sign_in(page, "malik", PASSWORD)
    page.goto(f"{BASE}/posts/{post.pk}/workflow/")
    page.locator("button[name=to_state][value=approved]").click()
    page.wait_for_load_state()
    post.refresh_from_db()
    assert post.state == PostState.APPROVED
    with translation.override(language):
        approved = str(PostState.APPROVED.label)
    expect(page.locator("#workflow-panel .badge").first).to_have_text(approved)
    transition = post.transitions.order_by("-at").first()
    assert (transition.actor.username, transition.to_state) == ("malik", PostState.APPROVED)


def hootsuite_file(rows: list[tuple[str, str]]) -> dict:
    """A Hootsuite bulk file: no header; date and time, message, link."""
    lines = [f"{when},{text},https://brulerie.example/guji\n" for when, text in rows]
    return {"name": "hootsuite.csv", "mimeType": "text/csv", "buffer": "".join(lines).encode()}


def upload(page, rows: list[tuple[str, str]]) -> None:
    """Import a Hootsuite file for LinkedIn, dates day first, from the import page."""
    page.goto(f"{BASE}/posts/import/")
    page.check("input[name=source_format][value=hootsuite]")
    page.check("input[name=networks][value=linkedin]")
    page.check("input[name=day_first][value='1']")
    page.set_input_files("input[name=file]", hootsuite_file(rows))
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_url(f"**{BASE}/imports/*/")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_refuses_a_bad_hootsuite_row_then_warns_of_an_overloaded_week(page, language) -> None:
    password = demo_team(language)
    tuesday = next_tuesday()
    days = [tuesday + timedelta(days=n) for n in range(3)]  # Tuesday to Thursday
    sign_in(page, "claire", password)

    # The strategy allows at most two LinkedIn posts a week.
    linkedin = NetworkChoice.objects.get(workspace__slug=SLUG, network="linkedin")
    page.goto(f"{BASE}/networks/{linkedin.pk}/edit/")
    page.fill("input[name=min_posts_per_week]", "1")
    page.fill("input[name=max_posts_per_week]", "2")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    linkedin.refresh_from_db()
    assert linkedin.max_posts_per_week == 2

    page.goto(f"{BASE}/calendar/?date={tuesday.isoformat()}")
    wait_for_checks(page)
    expect(page.locator("#checks-frequency_high")).to_have_count(0)

    # (6) One impossible date: nothing is imported; the line and the column are named.
    page.goto(f"{BASE}/posts/import/")
    check_axe(page)
    good = [(f"{day:%d/%m/%Y} 10:00", f"Guji : épisode {n}") for n, day in enumerate(days, 1)]
    upload(page, [good[0], ("31/02/2031 10:00", "Guji en espresso"), good[1]])
    page.locator("#import-progress [role=alert]").wait_for()
    errors = page.locator("#import-progress table tbody tr")
    expect(errors).to_have_count(1)
    assert errors.locator("th").inner_text() == "2"
    assert "A" in errors.locator("td").first.inner_text()
    assert "31/02/2031" in errors.locator("td").nth(1).inner_text()
    check_axe(page)
    assert not Post.objects.filter(workspace__slug=SLUG).exists()
    assert ImportJob.objects.get().created_posts == 0

    # The fixed file: three posts in the same week, on LinkedIn.
    upload(page, good)
    page.locator("#import-progress .message.success").wait_for()
    check_axe(page)
    imported = Post.objects.filter(workspace__slug=SLUG)
    assert sorted(p.scheduled_at.astimezone(PARIS) for p in imported) == [
        datetime.combine(day, time(10), PARIS) for day in days
    ]
    networks = Variant.objects.filter(post__in=imported).values_list("network", flat=True)
    assert list(networks) == ["linkedin"] * 3

    # (5) The calendar check now warns: three LinkedIn posts that week, two allowed.
    page.goto(f"{BASE}/calendar/?date={tuesday.isoformat()}")
    wait_for_checks(page)
    section = page.locator("section", has=page.locator("#checks-frequency_high"))
    expect(section.locator("li.finding")).to_have_count(1)
    with translation.override(language):
        expected = [
            f.message
            for f in run_checks(linkedin.workspace, days[0], days[0] + timedelta(days=7))
            if f.rule == "frequency_high"
        ]
    assert len(expected) == 1  # "3 posts are planned on LinkedIn this week; ... at most 2."
    assert all(part in expected[0] for part in ("3", "LinkedIn", "2"))
    assert expected[0] in section.locator("li.finding").inner_text()
    check_axe(page)


PANEL_NOT_WIRED = (
    "Bug: the checks panel beside the calendar is loaded once, for today and the next 28 "
    "days (calendar.html's hx-get sends no range), and calendar.js never reloads it: not "
    "when the calendar shows another month (views_checks.checked_range expects FullCalendar's "
    "start/end), not after a drop."
)


def overload_linkedin(days: list[date], maximum: int = 2) -> None:
    """Plan one LinkedIn post at 10:00 (Paris) on each day; allow `maximum` a week."""
    workspace = Workspace.objects.get(slug=SLUG)
    NetworkChoice.objects.filter(workspace=workspace, network="linkedin").update(
        max_posts_per_week=maximum
    )
    for n, day in enumerate(days, 1):
        post = Post.objects.create(
            workspace=workspace,
            title=f"Guji {n}",
            scheduled_at=datetime.combine(day, time(10), PARIS),
        )
        Variant.objects.create(post=post, network="linkedin", text=f"Guji, épisode {n}")


@pytest.mark.xfail(strict=True, reason=PANEL_NOT_WIRED)
def test_it_checks_the_month_the_calendar_shows(page) -> None:
    sign_in(page, "claire", demo_team("en"))
    later = next_tuesday() + timedelta(weeks=8)  # well beyond the panel's first 28 days
    overload_linkedin([later, later + timedelta(days=1), later + timedelta(days=2)])
    workspace = Workspace.objects.get(slug=SLUG)
    found = run_checks(workspace, later, later + timedelta(days=7))
    assert [f.rule for f in found].count("frequency_high") == 1  # the checks see it
    page.goto(f"{BASE}/calendar/?date={later.isoformat()}")
    page.locator(f'td.fc-daygrid-day[data-date="{later}"] .fc-event').wait_for()
    wait_for_checks(page)
    expect(page.locator("#checks-frequency_high")).to_have_count(1, timeout=3000)


@pytest.mark.xfail(strict=True, reason=PANEL_NOT_WIRED)
def test_it_checks_again_after_a_drop(page) -> None:
    sign_in(page, "claire", demo_team("en"))
    first, month = two_weeks_on_one_grid()
    second = first + timedelta(weeks=1)
    overload_linkedin([first, second + timedelta(days=1), second + timedelta(days=2)])
    page.goto(f"{BASE}/calendar/?date={month.isoformat()}")
    event = page.locator(f'td.fc-daygrid-day[data-date="{first}"] .fc-event')
    event.wait_for()
    wait_for_checks(page)
    expect(page.locator("#checks-frequency_high")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    drag(page, event, page.locator(f'td.fc-daygrid-day[data-date="{second}"]'))
    page.locator("#calendar-status").filter(has_text="Guji 1").wait_for()
    post = Post.objects.get(title="Guji 1")
    assert post.scheduled_at.astimezone(PARIS).date() == second  # the server has moved it
    expect(page.locator("#checks-frequency_high")).to_have_count(1, timeout=3000)


def two_weeks_on_one_grid() -> tuple[date, date]:
    """Return a Tuesday in the checks panel's 28 days whose next week's Tuesday is on the
    same month grid (six weeks from the Monday before the 1st), and that month's 1st."""
    today = timezone.now().astimezone(PARIS).date()
    tuesday = next_tuesday()
    for first in (tuesday - timedelta(weeks=1), tuesday):
        if first <= today or first + timedelta(weeks=1, days=2) >= today + timedelta(days=28):
            continue
        for day in (first, first + timedelta(weeks=1)):
            month = day.replace(day=1)
            grid_start = month - timedelta(days=month.weekday())
            if grid_start <= first and first + timedelta(weeks=1) < grid_start + timedelta(42):
                return first, month
    raise AssertionError("no two consecutive weeks found on one grid")  # cannot happen
