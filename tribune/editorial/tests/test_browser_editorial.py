"""The editorial calendar as a new user would use it, in a real browser, from the demo.

Claire (the demo's owner) composes a post for X, Bluesky and LinkedIn, sees
X's limit error come and go, gives the post a time, drags it to another day
and sends it for review; Malik (the demo's Approver) approves it. Then a
Hootsuite file with one bad row is refused whole, the fixed file is imported,
and the calendar check warns that LinkedIn's week is overloaded. axe-core
checks the composer, the calendar and the import pages on the way.

The demo may hold posts of its own in the coming two weeks: the tests work in
a week after them, find their own posts by title or id, and look for the one
finding they expect rather than for an empty panel.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from tribune.editorial.checks import run_checks
from tribune.editorial.checks_rules import week_where
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
TITLE = "Arrivage : Colombie Huila"


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


def free_tuesday() -> date:
    """A Tuesday 15 to 21 days ahead: after the demo's own posts (the next two weeks),
    with its whole week in the checks panel's 28 days; Tuesday to Thursday share a
    row of the month grid whatever the month."""
    today = timezone.now().astimezone(PARIS).date()
    first = today + timedelta(days=15)
    return first + timedelta(days=(1 - first.weekday()) % 7)


def at_ten(day: date) -> datetime:
    return datetime.combine(day, time(10), PARIS)


def linkedin_overload(language: str, monday: date) -> tuple[str, list[str]]:
    """Return the panel's "where" for LinkedIn's week, and the messages the server's
    frequency_high check gives that week (in the member's language)."""
    workspace = Workspace.objects.get(slug=SLUG)
    with translation.override(language):
        found = run_checks(workspace, monday, monday + timedelta(days=7))
        where = week_where(monday, "linkedin")
    return where, [f.message for f in found if f.rule == "frequency_high" and f.where == where]


def panel_findings(page) -> list[str]:
    """The texts of the panel's "too many posts in a week" findings."""
    return page.locator("section:has(#checks-frequency_high) li.finding").all_inner_texts()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_composes_moves_reviews_and_approves_a_post(page, language) -> None:
    password = demo_team(language)
    sign_in(page, "claire", password)
    assert page.locator("html").get_attribute("lang") == language

    # (1) Write once, for three networks.
    page.goto(f"{BASE}/posts/new/")
    check_axe(page)
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=body]", "Notre Huila lavé arrive à la brûlerie.")
    for network in ("x", "bluesky", "linkedin"):
        page.check(f"input[name=networks][value={network}]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{BASE}/posts/*/edit/")
    post = Post.objects.get(pk=int(re.search(r"/posts/(\d+)/edit/", page.url)[1]))
    assert post.title == TITLE and post.author.username == "claire"
    assert sorted(post.variants.values_list("network", flat=True)) == ["bluesky", "linkedin", "x"]

    # A text too long for X (280) but within Bluesky's 300 and LinkedIn's 3,000.
    long_text = "Huila " * 47 + "Huila!"  # 288 characters
    for network in ("x", "bluesky", "linkedin"):
        page.fill(f"textarea[name=v-{network}-text]", long_text)
    x_problems = page.locator("#problems-x li.error")
    expect(x_problems).to_have_count(1)
    problem = x_problems.inner_text()
    assert "280" in problem and "288" in problem and "8" in problem  # which rule, by how much
    assert page.locator("#status-x .live-count").inner_text() == "288"
    expect(page.locator("#problems-bluesky li.error")).to_have_count(0)
    expect(page.locator("#problems-linkedin li.error")).to_have_count(0)
    check_axe(page)  # the composer, with its error showing

    short_text = "Notre Huila lavé arrive : notes de panela et de mûre."
    page.fill("textarea[name=v-x-text]", short_text)
    expect(x_problems).to_have_count(0)
    expect(page.locator("#status-x .live-count")).to_have_text(str(len(short_text)))
    page.locator("main form > p.toolbar button[type=submit]").click()
    page.wait_for_load_state()
    assert Variant.objects.get(post=post, network="x").text == short_text
    assert Variant.objects.get(post=post, network="bluesky").text == long_text

    # (2) A first time, by the "move to" form, then a drag from Tuesday to Thursday.
    tuesday = free_tuesday()
    thursday = tuesday + timedelta(days=2)
    page.goto(move_url(SLUG, post.pk))
    page.fill("input[name=date]", tuesday.isoformat())
    page.fill("input[name=time]", "10:00")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{BASE}/calendar/**")
    post.refresh_from_db()
    assert post.scheduled_at == at_ten(tuesday).astimezone(UTC)

    page.goto(f"{BASE}/calendar/?date={tuesday.isoformat()}")
    event = page.locator(f'td.fc-daygrid-day[data-date="{tuesday}"] .fc-event', has_text=TITLE)
    event.wait_for()
    wait_for_checks(page)
    check_axe(page)
    drag(page, event, page.locator(f'td.fc-daygrid-day[data-date="{thursday}"]'))
    page.locator("#calendar-status").filter(has_text=TITLE).wait_for()
    page.locator(f'td.fc-daygrid-day[data-date="{thursday}"] .fc-event', has_text=TITLE).wait_for()
    post.refresh_from_db()
    # Same wall-clock time in Paris, whatever the UTC offset of either day.
    assert post.scheduled_at.astimezone(PARIS) == at_ten(thursday)
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
    lines = [f"{when},{text},https://brulerie.example/huila\n" for when, text in rows]
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
    tuesday = free_tuesday()
    days = [tuesday + timedelta(days=n) for n in range(3)]  # Tuesday to Thursday
    monday = tuesday - timedelta(days=1)
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

    where, messages = linkedin_overload(language, monday)
    assert messages == []
    page.goto(f"{BASE}/calendar/?date={tuesday.isoformat()}")
    wait_for_checks(page)
    assert not any(where in text for text in panel_findings(page))

    # (6) One impossible date: nothing is imported; the line and the column are named.
    before = Post.objects.filter(workspace__slug=SLUG).count()
    page.goto(f"{BASE}/posts/import/")
    check_axe(page)
    good = [(f"{day:%d/%m/%Y} 10:00", f"Huila : épisode {n}") for n, day in enumerate(days, 1)]
    upload(page, [good[0], ("31/02/2031 10:00", "Huila en espresso"), good[1]])
    page.locator("#import-progress [role=alert]").wait_for()
    errors = page.locator("#import-progress table tbody tr")
    expect(errors).to_have_count(1)
    assert errors.locator("th").inner_text() == "2"
    assert "A" in errors.locator("td").first.inner_text()
    assert "31/02/2031" in errors.locator("td").nth(1).inner_text()
    check_axe(page)
    assert Post.objects.filter(workspace__slug=SLUG).count() == before
    assert ImportJob.objects.get().created_posts == 0

    # The fixed file: three posts in the same week, on LinkedIn.
    upload(page, good)
    page.locator("#import-progress .message.success").wait_for()
    check_axe(page)
    imported = Post.objects.filter(workspace__slug=SLUG, title__startswith="Huila : épisode")
    assert Post.objects.filter(workspace__slug=SLUG).count() == before + 3
    assert sorted(p.scheduled_at.astimezone(PARIS) for p in imported) == [
        at_ten(day) for day in days
    ]
    networks = Variant.objects.filter(post__in=imported).values_list("network", flat=True)
    assert list(networks) == ["linkedin"] * 3

    # (5) The calendar check now warns: three LinkedIn posts that week, two allowed.
    where, messages = linkedin_overload(language, monday)
    assert len(messages) == 1 and all(part in messages[0] for part in ("3", "LinkedIn", "2"))
    page.goto(f"{BASE}/calendar/?date={tuesday.isoformat()}")
    wait_for_checks(page)
    shown = [text for text in panel_findings(page) if where in text]
    assert len(shown) == 1 and messages[0] in shown[0]
    check_axe(page)


def plan_linkedin(days: list[date], maximum: int = 2) -> None:
    """Plan one LinkedIn post at 10:00 (Paris) on each day; allow `maximum` a week."""
    workspace = Workspace.objects.get(slug=SLUG)
    NetworkChoice.objects.filter(workspace=workspace, network="linkedin").update(
        max_posts_per_week=maximum
    )
    for n, day in enumerate(days, 1):
        post = Post.objects.create(
            workspace=workspace, title=f"Huila {n}", scheduled_at=at_ten(day)
        )
        Variant.objects.create(post=post, network="linkedin", text=f"Huila, épisode {n}")


def test_it_checks_the_month_the_calendar_shows(page) -> None:
    sign_in(page, "claire", demo_team("en"))
    later = free_tuesday() + timedelta(weeks=8)  # well beyond the panel's first 28 days
    plan_linkedin([later, later + timedelta(days=1), later + timedelta(days=2)])
    where, messages = linkedin_overload("en", later - timedelta(days=1))
    assert len(messages) == 1  # the server's check sees the overloaded week
    page.goto(f"{BASE}/calendar/?date={later.isoformat()}")
    page.locator(f'td.fc-daygrid-day[data-date="{later}"] .fc-event', has_text="Huila").wait_for()
    wait_for_checks(page)
    expect(page.locator("#calendar-checks-panel")).to_contain_text(where, timeout=3000)


def test_it_checks_again_after_a_drop(page) -> None:
    sign_in(page, "claire", demo_team("en"))
    first, month = two_weeks_on_one_grid()
    second = first + timedelta(weeks=1)
    plan_linkedin([first, second + timedelta(days=1), second + timedelta(days=2)])
    where, messages = linkedin_overload("en", second - timedelta(days=1))
    assert messages == []  # two posts that week: within the strategy
    page.goto(f"{BASE}/calendar/?date={month.isoformat()}")
    event = page.locator(f'td.fc-daygrid-day[data-date="{first}"] .fc-event', has_text="Huila 1")
    event.wait_for()
    wait_for_checks(page)
    drag(page, event, page.locator(f'td.fc-daygrid-day[data-date="{second}"]'))
    page.locator("#calendar-status").filter(has_text="Huila 1").wait_for()
    assert Post.objects.get(title="Huila 1").scheduled_at == at_ten(second)
    assert len(linkedin_overload("en", second - timedelta(days=1))[1]) == 1  # now three
    today = timezone.now().astimezone(PARIS).date()
    with translation.override("en"):
        workspace = Workspace.objects.get(slug=SLUG)
        panel_range = run_checks(workspace, today, today + timedelta(days=28))
    assert where in [f.where for f in panel_range]  # a reloaded panel would show it
    expect(page.locator("#calendar-checks-panel")).to_contain_text(where, timeout=3000)


def two_weeks_on_one_grid() -> tuple[date, date]:
    """Return a Tuesday and the 1st of a month whose grid (six weeks from the Monday on
    or before the 1st) also shows the next Tuesday. The later week starts within the
    checks panel's 28 days; the earlier one may hold demo posts, the later one not."""
    tuesday = free_tuesday()
    for first in (tuesday, tuesday - timedelta(weeks=1)):
        for day in (first, first + timedelta(weeks=1)):
            month = day.replace(day=1)
            grid_start = month - timedelta(days=month.weekday())
            if grid_start <= first and first + timedelta(weeks=1) < grid_start + timedelta(42):
                return first, month
    raise AssertionError("no two consecutive weeks on one grid")  # cannot happen
