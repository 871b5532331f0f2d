"""As a new user would, in a real browser, in French and in English:

sign in with the demo credentials, create a persona, create an objective with a
KPI target, accept two recommended networks, name who publishes, responds and
moderates on one of them, and download the strategy PDF, then read its text.
Every page visited is checked with axe-core.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tribune.strategy.models import NetworkChoice, Objective, Persona, SpeakingPolicy
from tribune.testing.browser import axe_violations, sign_in
from tribune.workspaces.demo import SLUG, create_demo
from tribune.workspaces.models import Membership, User, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {"plan": "Stratégie social media", "persona_heading": "Où se trouve ma cible"},
    "en": {"plan": "Social media strategy", "persona_heading": "Where is my target"},
}


def check_axe(page):
    assert axe_violations(page) == [], page.url


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_builds_a_strategy_from_persona_to_pdf(page, language):
    username, password = create_demo()
    User.objects.filter(username=username).update(language=language)
    Workspace.objects.filter(slug=SLUG).update(language=language)
    words = WORDS[language]
    sign_in(page, username, password)
    assert page.locator("html").get_attribute("lang") == language
    base = f"/w/{SLUG}"

    # Step 1: a persona.
    page.goto(f"{base}/personas/new/")
    check_axe(page)
    page.fill("input[name=name]", "Nadia, cheffe de projet RSE")
    page.select_option("select[name=audience]", "b2b")
    page.fill("input[name=age_min]", "30")
    page.fill("input[name=age_max]", "50")
    page.check("input[name=networks][value=linkedin]")
    page.check("input[name=formats][value=document]")
    page.fill("textarea[name=expectations]", "Des preuves chiffrées")
    page.fill("textarea[name=needs]", "Un fournisseur engagé")
    page.click("main form button[type=submit]")
    assert words["persona_heading"] in page.content()
    check_axe(page)
    persona = Persona.objects.get(name="Nadia, cheffe de projet RSE")

    # Step 2: an objective with a KPI target.
    page.goto(f"{base}/objectives/new/")
    check_axe(page)
    page.fill("input[name=title]", "Vingt contacts RSE qualifiés")
    page.select_option("select[name=lever]", "acquisition")
    page.select_option("select[name=kpi]", "contacts")
    page.fill("input[name=baseline]", "2")
    page.fill("input[name=target]", "20")
    deadline = timezone.localdate() + timedelta(days=120)
    page.fill("input[name=deadline]", deadline.isoformat())
    page.check(f"input[name=personas][value='{persona.pk}']")
    page.click("main form button[type=submit]")
    objective = Objective.objects.get(title="Vingt contacts RSE qualifiés")
    assert (objective.target, objective.personas.get()) == (20, persona)

    # Step 3: accept two recommended networks for the new persona.
    before = NetworkChoice.objects.filter(workspace__slug=SLUG).count()
    page.goto(f"{base}/networks/?persona={persona.pk}")
    check_axe(page)
    accept = page.locator("form:has(input[name=decision][value=accept]) button")
    for _ in range(2):
        count = accept.count()
        accept.first.click()
        page.wait_for_function(
            "n => document.querySelectorAll('form input[name=decision][value=accept]').length < n",
            arg=count,
        )
    chosen = NetworkChoice.objects.filter(workspace__slug=SLUG, personas=persona)
    assert chosen.count() == 2
    assert NetworkChoice.objects.filter(workspace__slug=SLUG).count() >= before
    choice = chosen.order_by("network").first()

    # Step 4: who publishes, responds and moderates on it.
    members = {m.user.username: m for m in Membership.objects.filter(workspace__slug=SLUG)}
    page.goto(f"{base}/networks/{choice.pk}/policy/")
    check_axe(page)
    page.check(f"input[name=publishers][value='{members['lea'].pk}']")
    page.check(f"input[name=responders][value='{members['lea'].pk}']")
    page.check(f"input[name=moderators][value='{members['claire'].pk}']")
    page.fill("textarea[name=tone]", "Vouvoiement, ton expert")
    page.fill("input[name=response_time_minutes]", "90")
    page.click("main form button[type=submit]")
    policy = SpeakingPolicy.objects.get(choice=choice)
    assert list(policy.publishers.all()) == [members["lea"]]
    assert list(policy.moderators.all()) == [members["claire"]]
    assert policy.response_time_minutes == 90

    # The plan, and its PDF.
    page.goto(f"{base}/plan/")
    check_axe(page)
    with page.expect_download() as download_info:
        page.click(f"a[href='{base}/plan.pdf']")
    download = download_info.value
    assert download.suggested_filename == f"{SLUG}-strategy.pdf"
    with open(download.path(), "rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 3
    assert words["plan"] in text
    assert "Nadia, cheffe de projet RSE" in text
    assert "Vingt contacts RSE qualifiés" in text
    assert "Vouvoiement, ton expert" in text
