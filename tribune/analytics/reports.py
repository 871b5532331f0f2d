"""Reports for a client: the sections a template chooses, for a period, as HTML and PDF.

A report is written in the workspace's language and its dates in the
workspace's time zone, whoever asks for it. Charts are static SVG drawn here
(report_svg.py), each followed by the table of its figures and a definition
of every derived figure. The logo is embedded in the document (a data: URI),
and WeasyPrint may fetch nothing else: text typed by people never makes the
server issue a request.

Periods: a weekly report covers the last full week (Monday to Sunday), a
monthly one the last full month, both as seen in the workspace's time zone;
a campaign report covers the campaign's dates once.
"""

from __future__ import annotations

import base64
import logging
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import IO

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.workspaces.models import Workspace

from . import report_data as data
from .models import ReportFrequency, ReportSchedule, ReportTemplate
from .report_svg import Series, bar_chart, colours, line_chart
from .vocabulary import DEFINITIONS, ENGAGEMENT_RATE, Metric

logger = logging.getLogger(__name__)

# The sections a template may hold, in the order a report prints them.
SECTIONS = {
    "objectives": gettext_lazy("Objectives' status"),
    "audience": gettext_lazy("Audience growth"),
    "top_posts": gettext_lazy("Top posts"),
    "bottom_posts": gettext_lazy("Bottom posts"),
    "networks": gettext_lazy("Breakdown by network"),
    "delivery": gettext_lazy("Published vs planned"),
    "comments": gettext_lazy("The team's comments"),
}
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
# Reports go out at this local time, once the period they cover is over.
SEND_AT = time(7, 0)


@dataclass(frozen=True)
class ReportDocument:
    html: str
    pdf: bytes


# --- Periods and when reports go out ----------------------------------------------------


def last_full_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the week before the one holding `today`."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def last_full_month(today: date) -> tuple[date, date]:
    """First to last day of the month before the one holding `today`."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def local_date(workspace: Workspace, moment: datetime) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(workspace.time_zone)).date()


def schedule_period(schedule: ReportSchedule, moment: datetime) -> tuple[date, date]:
    """The period a schedule reports on when it runs at `moment`."""
    if schedule.frequency == ReportFrequency.CAMPAIGN:
        return schedule.period_start, schedule.period_end
    today = local_date(schedule.workspace, moment)
    if schedule.frequency == ReportFrequency.MONTHLY:
        return last_full_month(today)
    return last_full_week(today)


def at_send_time(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    """`day` at 07:00 in `tz`, as an aware instant (the earlier one if it happens twice)."""
    moment = datetime.combine(day, SEND_AT, tzinfo=tz)
    # A zone whose clocks skip 07:00 that day: the instant the skipped hour maps to.
    return moment.astimezone(UTC)


def next_run_at(schedule: ReportSchedule, after: datetime) -> datetime | None:
    """When the schedule runs next, strictly after `after` (campaign: its one run).

    Weekly: the next Monday at 07:00; monthly: the next 1st at 07:00; both in
    the workspace's time zone. Campaign: the day after its last day at 07:00,
    even if that is already past (it then runs at the next check).
    """
    tz = zoneinfo.ZoneInfo(schedule.workspace.time_zone)
    if schedule.frequency == ReportFrequency.CAMPAIGN:
        if schedule.period_end is None:
            return None
        return at_send_time(schedule.period_end + timedelta(days=1), tz)
    day = after.astimezone(tz).date()
    while True:
        if schedule.frequency == ReportFrequency.MONTHLY:
            day = day if day.day == 1 else (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            day = day + timedelta(days=-day.weekday() % 7)
        candidate = at_send_time(day, tz)
        if candidate > after:
            return candidate
        day += timedelta(days=1)


# --- Logo and colours -------------------------------------------------------------------


def logo_format(fp: IO[bytes]) -> str | None:
    """Return "PNG" or "JPEG" when `fp` holds a whole image of that kind, else None.

    Pillow reads the content (never the name); other formats, decompression
    bombs, oversized and damaged images are all refused.
    """
    from PIL import Image, UnidentifiedImageError

    fp.seek(0)
    try:
        image = Image.open(fp, formats=list(LOGO_FORMATS))
        if image.width > LOGO_MAX_SIDE or image.height > LOGO_MAX_SIDE:
            return None
        image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError):
        return None
    except Exception:  # Pillow raises many types for damaged data
        return None
    finally:
        fp.seek(0)
    return image.format


def logo_data_uri(template: ReportTemplate) -> str:
    """The template's logo as a data: URI, or "" when it has none or it cannot be read."""
    if not template.logo:
        return ""
    try:
        with default_storage.open(template.logo.name, "rb") as handle:
            content = handle.read(LOGO_MAX_BYTES + 1)
            kind = logo_format(handle) if len(content) <= LOGO_MAX_BYTES else None
    except OSError:
        logger.warning("report logo %s cannot be read", template.logo.name)
        return ""
    if kind is None:
        logger.warning("report logo %s is not a PNG or JPEG image", template.logo.name)
        return ""
    encoded = base64.b64encode(content).decode("ascii")
    return f"data:{LOGO_FORMATS[kind]};base64,{encoded}"


def safe_colour(value: str, default: str) -> str:
    """The colour when it is #rrggbb, else the default: it is written into CSS and SVG."""
    return value if COLOUR.fullmatch(value or "") else default


def text_colour_on(background: str) -> str:
    """Black or white, whichever contrasts more with `background` (#rrggbb), per WCAG 2."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(background[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with white (1.05 / (L + 0.05)) against black ((L + 0.05) / 0.05).
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000000"


# --- Objectives -------------------------------------------------------------------------


def objective_measures(workspace: Workspace, period: data.Period) -> list:
    """Each objective's kpis.Measure as of the period's last day, nearest deadline first."""
    # Imported here: the KPI module reads every source of figures, which only reports
    # and dashboards need.
    from .kpis import measure_all

    return measure_all(workspace, period.end)


def objective_methods() -> list[str]:
    """How progress, trend, forecast and status are computed, one sentence each."""
    from .kpis import FORECAST_METHOD, PROGRESS_METHOD, STATUS_METHOD, TREND_METHOD

    return [str(m) for m in (PROGRESS_METHOD, TREND_METHOD, FORECAST_METHOD, STATUS_METHOD)]


# --- The document -----------------------------------------------------------------------


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def period_label(start: date, end: date) -> str:
    return _("%(start)s to %(end)s") % {"start": _day(start), "end": _day(end)}


def clean_sections(sections: list[str] | None) -> list[str]:
    """The known sections among `sections`, in the report's own order."""
    chosen = set(sections or [])
    return [key for key in SECTIONS if key in chosen]


def _charts(context: dict, main: str, accent: str) -> None:
    """Add each chosen section's chart (SVG) to the context."""
    audience = context.get("audience")
    if audience and audience.series:
        names = [row.name for row in audience.rows]
        palette = colours(main, accent, len(names))
        context["audience_chart"] = line_chart(
            _("Followers per network"),
            [_day(day) for day in audience.points],
            [
                Series(name, values, colour)
                for name, values, colour in zip(
                    names, audience.series.values(), palette, strict=True
                )
            ],
        )
    networks = context.get("networks")
    if networks:
        context["networks_chart"] = bar_chart(
            _("Engagements per network"),
            [row.name for row in networks],
            [Series(_("Engagements"), [row.engagements for row in networks], main)],
        )
    delivery = context.get("delivery")
    if delivery:
        context["delivery_chart"] = bar_chart(
            _("Publications planned and published per network"),
            [row.name for row in delivery],
            [
                Series(_("Planned"), [row.planned for row in delivery], accent),
                Series(_("Published"), [row.published for row in delivery], main),
            ],
        )
    measured = [m for m in context.get("measures", []) if m.progress is not None]
    if measured:
        context["objectives_chart"] = bar_chart(
            _("Progress towards each objective (%)"),
            [m.objective.title for m in measured],
            [Series(_("Progress"), [m.progress for m in measured], main)],
        )


def definitions() -> dict[str, str]:
    """The written definition of every figure a report derives, keyed for the template."""
    return {
        "followers": str(DEFINITIONS[Metric.FOLLOWERS]),
        "new_followers": str(DEFINITIONS[Metric.NEW_FOLLOWERS]),
        "views": str(DEFINITIONS[Metric.VIEWS]),
        "engagements": str(DEFINITIONS[Metric.ENGAGEMENTS]),
        "engagement_rate": str(ENGAGEMENT_RATE),
        "change": _(
            "Change = followers at the end of the period − followers at its start (the last "
            "count before it, or the first one during it for a new account)."
        ),
        "ranking": _(
            "Posts published during the period, ranked by their engagements at the latest reading."
        ),
        "delivery": _(
            "Planned: publications due during the period; published: those of them that went out."
        ),
    }


def report_context(
    workspace: Workspace,
    template: ReportTemplate,
    start: date,
    end: date,
    *,
    sections: list[str] | None = None,
    colour: str | None = None,
    accent: str | None = None,
) -> dict:
    """Everything the report template prints; `sections`/colours override the template's."""
    period = data.period_of(workspace, start, end)
    chosen = clean_sections(template.sections if sections is None else sections)
    main = safe_colour(colour or template.colour, "#1f4fd1")
    second = safe_colour(accent or template.accent, "#e8590c")
    context: dict = {
        "workspace": workspace,
        "template": template,
        "sections": chosen,
        "section_titles": {key: str(SECTIONS[key]) for key in chosen},
        "period": period,
        "period_label": period_label(start, end),
        "colour": main,
        "on_colour": text_colour_on(main),
        "accent": second,
        "logo": logo_data_uri(template),
        "generated": timezone.localdate(),
        "definitions": definitions(),
    }
    if "objectives" in chosen:
        context["measures"] = objective_measures(workspace, period)
        context["objective_methods"] = objective_methods()
    if "audience" in chosen:
        context["audience"] = data.audience_growth(workspace, period)
    if {"top_posts", "bottom_posts"} & set(chosen):
        context["posts"] = data.ranked_posts(workspace, period)
    if "networks" in chosen:
        context["networks"] = data.network_breakdown(workspace, period)
    if "delivery" in chosen:
        context["delivery"] = data.published_vs_planned(workspace, period)
    if "comments" in chosen:
        context["comments"] = data.comments_for(workspace, period)
    if "audience" in context:
        audience = context["audience"]
        context["audience_table"] = [
            {"day": day, "values": [audience.series[row.network][i] for row in audience.rows]}
            for i, day in enumerate(audience.points)
        ]
    _charts(context, main, second)
    return context


def render_report_html(
    workspace: Workspace, template: ReportTemplate, start: date, end: date, **overrides
) -> str:
    """The report as one self-contained HTML page, in the workspace's language and zone."""
    with (
        translation.override(workspace.language),
        timezone.override(zoneinfo.ZoneInfo(workspace.time_zone)),
    ):
        context = report_context(workspace, template, start, end, **overrides)
        return render_to_string("analytics/report.html", context)


def render_report_pdf(workspace: Workspace, html: str) -> bytes:
    """The PDF of a report's HTML, with "page X of Y" in the workspace's language."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from tribune.strategy.pdf import page_footer_css

    with translation.override(workspace.language):
        footer = page_footer_css()
    # data: only: the embedded logo. Any other URL in the document is refused.
    fetcher = URLFetcher(allowed_protocols=frozenset({"data"}))
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[footer], pdf_tags=True)


def build_report(
    workspace: Workspace, template: ReportTemplate, start: date, end: date
) -> ReportDocument:
    """The report of `start`..`end` (both included) as HTML and PDF."""
    html = render_report_html(workspace, template, start, end)
    return ReportDocument(html=html, pdf=render_report_pdf(workspace, html))
