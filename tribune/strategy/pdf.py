"""The strategy plan as a PDF a client can be handed, rendered by WeasyPrint from HTML.

The document is written in the workspace's language and dates are in its time
zone, whatever the language of the person who downloads it. WeasyPrint fetches
nothing: the stylesheet is read from disk and any URL in the HTML is refused,
so text typed by users can never make the server issue a request.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from tribune.workspaces.models import Workspace

from .plan import gather_plan

STYLESHEET = Path(__file__).parent / "static" / "strategy" / "plan_print.css"


@cache
def _stylesheet() -> CSS:
    return CSS(string=STYLESHEET.read_text(encoding="utf-8"))


def css_string(text: str) -> str:
    """Return `text` as a quoted CSS string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def page_footer_css() -> CSS:
    """Return the "page X of Y" footer rule, translated as one sentence for translators."""
    sentence = _("page %(page)s of %(pages)s")
    content = css_string(sentence)
    content = content.replace("%(page)s", '" counter(page) "').replace(
        "%(pages)s", '" counter(pages) "'
    )
    return CSS(string=f"@page {{ @bottom-right {{ content: {content}; }} }}")


def render_plan_html(workspace: Workspace) -> str:
    """Return the plan's print HTML, in the workspace's language and time zone."""
    with (
        translation.override(workspace.language),
        timezone.override(zoneinfo.ZoneInfo(workspace.time_zone)),
    ):
        return render_to_string(
            "strategy/plan_pdf.html",
            {"plan": gather_plan(workspace), "workspace": workspace},
        )


def render_plan_pdf(workspace: Workspace) -> bytes:
    """Return the plan as PDF bytes (raises weasyprint errors only on a broken template)."""
    html = render_plan_html(workspace)
    with translation.override(workspace.language):
        footer = page_footer_css()
    # No protocol allowed: every URL is refused (and logged by WeasyPrint as a warning).
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=frozenset()))
    return document.write_pdf(stylesheets=[_stylesheet(), footer], pdf_tags=True)
