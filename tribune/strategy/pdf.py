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
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tribune.analytics.kpis import measure_many
from tribune.workspaces.models import Workspace

if TYPE_CHECKING:
    from weasyprint import CSS

# WeasyPrint is imported where a PDF is made, not at start-up: it weighs about
# 40 MB in every web process, most of which never renders a PDF.

from .plan import gather_plan

STYLESHEET = Path(__file__).parent / "static" / "strategy" / "plan_print.css"


@cache
def _stylesheet() -> CSS:
    from weasyprint import CSS

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
    from weasyprint import CSS

    return CSS(string=f"@page {{ @bottom-right {{ content: {content}; }} }}")


def render_plan_html(workspace: Workspace) -> str:
    """Return the plan's print HTML, in the workspace's language and time zone."""
    with (
        translation.override(workspace.language),
        timezone.override(zoneinfo.ZoneInfo(workspace.time_zone)),
    ):
        plan = gather_plan(workspace)
        objectives = [entry.objective for entry in plan.objectives]
        # Measured here, in the workspace's language: their definitions are sentences.
        measures = measure_many(workspace, objectives, plan.today)
        return render_to_string(
            "strategy/plan_pdf.html",
            {
                "plan": plan,
                "workspace": workspace,
                "measures": [measures[o.pk] for o in objectives],
            },
        )


def render_plan_pdf(workspace: Workspace) -> bytes:
    """Return the plan as PDF bytes (raises weasyprint errors only on a broken template)."""
    html = render_plan_html(workspace)
    with translation.override(workspace.language):
        footer = page_footer_css()
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # No protocol allowed: every URL is refused (and logged by WeasyPrint as a warning).
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=frozenset()))
    return document.write_pdf(stylesheets=[_stylesheet(), footer], pdf_tags=True)
