"""Static SVG charts for reports: horizontal bars and lines, drawn on the server.

A report is read in a PDF viewer or a mail client, where no script runs, so
its charts are plain SVG that WeasyPrint and browsers both draw. Every text
in the drawing is escaped; numbers are formatted in the active language.
Each chart is printed with a table of the same figures beside it (the
template's job): the drawing is for the eye, the table for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 190
BAR_HEIGHT = 14
ROW_GAP = 10
LINE_HEIGHT = 240
FONT = 'font-family="DejaVu Sans, sans-serif"'
# After the template's two colours, further series (one line per network) take these.
PALETTE = ("#2b8a3e", "#862e9c", "#1098ad", "#5c5f66", "#c2255c", "#e67700", "#364fc7")

_ids = count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]
    colour: str


def colours(main: str, accent: str, n: int) -> list[str]:
    """Return `n` colours: the template's two, then the fixed palette, repeated if needed."""
    cycle = (main, accent, *PALETTE)
    return [cycle[i % len(cycle)] for i in range(n)]


def _number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return number_format(round(value, 1), 1, force_grouping=True)
    return number_format(int(value), 0, force_grouping=True)


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(title: str, height: int) -> tuple[str, str]:
    ident = f"chart-{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{ident}" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" {FONT} font-size="11">'
        f'<title id="{ident}">{escape(title)}</title>'
    )
    return head, "</svg>"


def _legend(series: Sequence[Series], y: int, x: int = LABEL_WIDTH) -> str:
    parts = []
    for s in series:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{s.colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(_short(s.name, 24))}</text>')
        x += 30 + 7 * min(len(s.name), 24)
    return "".join(parts)


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series]) -> SafeString:
    """Return horizontal bars, one group per category and one bar per series.

    Values below zero are drawn as empty bars (their number is still written).
    """
    legend_height = 22 if len(series) > 1 else 0
    group = len(series) * BAR_HEIGHT + ROW_GAP
    height = legend_height + max(1, len(categories)) * group + 8
    head, tail = _open(title, height)
    values = [v for s in series for v in s.values if v is not None]
    top = max([0, *values]) or 1
    span = WIDTH - LABEL_WIDTH - 70
    body = [_legend(series, 14) if legend_height else ""]
    for row, category in enumerate(categories):
        y0 = legend_height + row * group + 4
        middle = y0 + len(series) * BAR_HEIGHT / 2 + 4
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end">'
            f"{escape(_short(category))}</text>"
        )
        for index, s in enumerate(series):
            value = s.values[row]
            length = max(0.0, (value or 0) / top * span)
            y = y0 + index * BAR_HEIGHT
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
                f'height="{BAR_HEIGHT - 2}" fill="{s.colour}"/>'
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + BAR_HEIGHT - 4}">'
                f"{escape(_number(value))}</text>"
            )
    return mark_safe(head + "".join(body) + tail)  # noqa: S308  (escaped above)


def line_chart(title: str, x_labels: Sequence[str], series: Sequence[Series]) -> SafeString:
    """Return one line per series over `x_labels` (a gap where a value is None)."""
    left, right, top_margin, bottom = 64, 16, 30, 28
    plot_w = WIDTH - left - right
    plot_h = LINE_HEIGHT - top_margin - bottom
    head, tail = _open(title, LINE_HEIGHT)
    values = [v for s in series for v in s.values if v is not None]
    low, high = (min(values), max(values)) if values else (0, 1)
    if high == low:
        low, high = low - 1, high + 1
    if 0 <= low < high * 0.25:
        # Small figures read best from zero; large levels (followers) are zoomed on.
        low = 0

    def y_of(value: float) -> float:
        return top_margin + plot_h - (value - low) / (high - low) * plot_h

    def x_of(index: int) -> float:
        steps = max(1, len(x_labels) - 1)
        return left + index * plot_w / steps

    body = [_legend(series, 14, left)]
    for tick in range(5):
        value = low + (high - low) * tick / 4
        y = y_of(value)
        body.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d5dd" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_number(round(value)))}</text>"
        )
    shown = sorted({0, len(x_labels) // 2, len(x_labels) - 1}) if x_labels else []
    for index in shown:
        anchor = "start" if index == 0 else "end" if index == len(x_labels) - 1 else "middle"
        body.append(
            f'<text x="{x_of(index):.1f}" y="{LINE_HEIGHT - 8}" text-anchor="{anchor}">'
            f"{escape(x_labels[index])}</text>"
        )
    for s in series:
        run: list[str] = []
        for index, value in enumerate([*s.values, None]):
            if value is not None:
                run.append(f"{x_of(index):.1f},{y_of(value):.1f}")
                continue
            if len(run) == 1:
                x, y = run[0].split(",")
                body.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{s.colour}"/>')
            elif run:
                body.append(
                    f'<polyline points="{" ".join(run)}" fill="none" '
                    f'stroke="{s.colour}" stroke-width="2"/>'
                )
            run = []
    return mark_safe(head + "".join(body) + tail)  # noqa: S308  (escaped above)
