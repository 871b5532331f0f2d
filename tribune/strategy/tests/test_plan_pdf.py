"""The plan PDF: cover, contents with page numbers, footer, steps 1–4, in the workspace's
language."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader
from weasyprint import HTML

from tribune.strategy.pdf import css_string, render_plan_html, render_plan_pdf
from tribune.strategy.tests.test_plan import fill_workspace
from tribune.testing.fixtures import set_roles
from tribune.workspaces.roles import Role

pytestmark = pytest.mark.django_db


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_it_serves_the_pdf_to_any_member_and_hides_it_from_others(
    client, workspace, alice, bob, charlie
):
    url = reverse("plan-pdf", args=[workspace.slug])
    set_roles(bob, workspace, Role.GUEST)
    for user in (alice, bob):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_it_sends_an_attachment_named_after_the_workspace(client, workspace, alice):
    client.force_login(alice)
    response = client.get(reverse("plan-pdf", args=[workspace.slug]))
    assert response["Content-Disposition"] == 'attachment; filename="lumen-strategy.pdf"'
    assert response["Content-Language"] == workspace.language
    assert "no-store" in response["Cache-Control"]


def test_it_prints_cover_contents_steps_and_page_numbers_in_english(workspace, alice):
    workspace.language = "en"
    workspace.save()
    fill_workspace(workspace, 3)
    pages = pdf_pages(render_plan_pdf(workspace))
    text = "\n".join(pages)
    total = len(pages)
    # Cover: workspace name, title, date in the workspace's time zone.
    assert "Atelier Lumen" in pages[0] and "Social media strategy" in pages[0]
    with translation.override("en"):
        today = formats.date_format(date.today(), "DATE_FORMAT")
    assert today.split()[0] in pages[0]  # month name; the day may differ across time zones
    # Footer on every page.
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {total}" in page
    # Contents: each step with the page number where it starts.
    toc = pages[1]
    for title, marker in (
        ("Know your target", "Persona 000"),
        ("Objectives and indicators", "Objective 000"),
        ("Chosen networks", "Because linkedin reaches buyers"),
        ("Speaking policy", "Warm on instagram"),
    ):
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", toc, re.MULTILINE)
        assert match, (title, toc)
        start = int(match.group(1))
        assert marker in pages[start - 1], (title, start)
    # Data of each step; table cells wrap, so compare with whitespace collapsed.
    flat = " ".join(text.split())
    for needle in (
        "Persona 002",
        "Where is my target?",
        "Expects tips 2",
        "Needs proof 1",
        "Objective 002",
        "lower is better",
        "LinkedIn",
        "Instagram",
        "2 to 4 posts a week",
        "2 hours",
        "Legal threats",
        "lumen-member2",
    ):
        assert needle in flat, needle


def test_it_writes_the_pdf_in_the_workspaces_language_not_the_readers(client, workspace, alice):
    workspace.language = "fr"
    workspace.save()
    fill_workspace(workspace, 2)
    client.force_login(alice)  # alice reads the site in English
    response = client.get(reverse("plan-pdf", args=[workspace.slug]))
    assert response["Content-Language"] == "fr"
    assert response["Content-Disposition"] == 'attachment; filename="lumen-strategy.pdf"'
    pages = pdf_pages(response.content)
    text = "\n".join(pages)
    assert "Persona 001" in text and "Objective 001" in text and "Atelier Lumen" in pages[0]
    # Django ships French month names and number formats, so these are French already.
    with translation.override("fr"):
        month = formats.date_format(date.today(), "F")
    assert month in pages[0]
    assert re.search(r"\b1\s000\b", text)  # target 1000, French digit grouping
    # The HTML carries the language, so the PDF does too.
    assert '<html lang="fr">' in render_plan_html(workspace)
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"].get("/Lang") == "fr"


def test_it_prints_an_empty_plan(workspace, alice):
    workspace.language = "en"
    workspace.save()
    text = "\n".join(pdf_pages(render_plan_pdf(workspace)))
    assert "No persona yet." in text and "No speaking policy yet." in text
    assert "alice" in text  # the team table


def test_it_escapes_markup_typed_by_users(workspace, alice):
    workspace.description = '<img src="http://169.254.169.254/latest/meta-data">'
    workspace.save()
    html = render_plan_html(workspace)
    assert "<img" not in html and "&lt;img" in html


def test_it_fetches_no_url_even_if_one_reached_the_html(workspace, alice, monkeypatch):
    hostile = '<html><body><img src="http://169.254.169.254/x.png"><p>Plan</p></body></html>'
    calls: list = []
    monkeypatch.setattr(
        "urllib.request.OpenerDirector.open", lambda *a, **k: calls.append(a[1]) or 1 / 0
    )
    # The trap works: WeasyPrint's default fetcher does try the URL.
    HTML(string=hostile).write_pdf()
    assert calls
    calls.clear()
    monkeypatch.setattr("tribune.strategy.pdf.render_plan_html", lambda ws: hostile)
    assert render_plan_pdf(workspace).startswith(b"%PDF-")
    assert calls == []


def test_it_quotes_css_strings():
    assert css_string('page "1" \\ 2') == '"page \\"1\\" \\\\ 2"'
