"""The network rules table as Markdown, for docs/editorial-rules.md.

The page is generated from `rules_table` so that it cannot drift from the code:
`tribune/editorial/tests/test_rules_doc.py` fails when the file differs, and
`python -m tribune.editorial.rules_doc > docs/editorial-rules.md` rewrites it.
"""

from __future__ import annotations

from tribune.strategy.catalog import network_name

from .counting import Counting
from .rules_table import MB, NETWORK_RULES, RULES_VERSION, UNCHECKED_NETWORKS, LinkHandling

COUNTING = {
    Counting.CHARACTERS: "characters (Unicode code points, NFC)",
    Counting.GRAPHEMES: "graphemes (what a reader sees as one character)",
    Counting.X_WEIGHTED: "weighted: any link 23, CJK and emoji 2, others 1",
    Counting.MASTODON: "graphemes, any link 23, `@user@server` as `@user`",
    Counting.UTF8_BYTES: "UTF-8 bytes",
}
LINKS = {
    LinkHandling.APPENDED: "appended to the text, counted",
    LinkHandling.SEPARATE: "own field (destination link)",
    LinkHandling.NONE: "refused: not clickable in posts",
}


def _n(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}{unit}" if float(value).is_integer() else f"{value:g}{unit}"


def _mb(value: int | None) -> str:
    return "—" if value is None else f"{value / MB:g} MB"


def _span(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "—"
    if low is None:
        return f"up to {_n(high)}"
    if high is None:
        return f"at least {_n(low)}"
    return f"{_n(low)}–{_n(high)}"


def render() -> str:
    """Return the Markdown page describing every row of the rules table."""
    lines = [
        "# Network rules",
        "",
        f"Generated from `tribune/editorial/rules_table.py`, version {RULES_VERSION}. "
        "A dash means no limit is checked (no source stated one). A variant that "
        "breaks a rule can be saved as a draft; it cannot be approved or scheduled.",
        "",
        "## Text",
        "",
        "| network | text limit | counted as | caption with media | title | hashtags "
        "| mentions | link | first comment |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, r in sorted(NETWORK_RULES.items()):
        title = _n(r.title_max) + (" (required)" if r.title_required else "")
        lines.append(
            f"| {network_name(key)} | {_n(r.text_max)} | {COUNTING[r.counting]} "
            f"| {_n(r.caption_max)} | {title} | {_n(r.hashtag_max)} | {_n(r.mention_max)} "
            f"| {LINKS[r.link]} | {'yes' if r.first_comment else 'no'} |"
        )
    lines += [
        "",
        "## Media",
        "",
        "| network | items | kinds | image size | video size | video length (s) "
        "| width/height | alt text |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, r in sorted(NETWORK_RULES.items()):
        m = r.media
        items = f"{m.min_items}–{_n(m.max_items)}" if m.max_items else f"{m.min_items}+"
        kinds = ", ".join(sorted(m.kinds)) + (" (a video alone)" if m.single_video else "")
        length = _span(m.video_min_s, m.video_max_s)
        ratio = "—"
        if m.min_ratio or m.max_ratio:
            ratio = f"{m.min_ratio or 0:.2f}–{m.max_ratio:.2f}" if m.max_ratio else "—"
        lines.append(
            f"| {network_name(key)} | {items} | {kinds} | {_mb(m.image_max_bytes)} "
            f"| {_mb(m.video_max_bytes)} | {length} | {ratio} | {_n(m.alt_max)} |"
        )
    lines += [
        "",
        "Every attached image or video needs an alternative text, on every network.",
        "",
        "## Networks without checked limits",
        "",
        ", ".join(sorted(network_name(k) for k in UNCHECKED_NETWORKS)) + ".",
        "",
        "## Sources",
        "",
    ]
    for key, r in sorted(NETWORK_RULES.items()):
        lines.append(f"- {network_name(key)}: " + ", ".join(f"<{s}>" for s in r.sources))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
