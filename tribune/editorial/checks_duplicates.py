"""The duplicate checks: the same link, or nearly the same text, again too soon.

Only variants on the same network are compared: the same link on LinkedIn and
on Bluesky reaches two audiences, the same link twice on LinkedIn tires one.
"Too soon" is fewer than EditorialSettings.duplicate_window_days local days
apart. The measures are described in checks_similarity.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.utils.translation import gettext as _

from tribune.strategy.catalog import network_name

from .checks_data import Context, Finding, PlannedPost, day_text, post_where
from .checks_similarity import is_similar, links_of, similar_pairs, similarity, words_of


def close_enough(ctx: Context, a: PlannedPost, b: PlannedPost) -> bool:
    """Whether two different posts fall within the duplicate window (in local days)."""
    return a.id != b.id and abs((a.day - b.day).days) < ctx.settings.duplicate_window_days


def _pairs_to_report(ctx: Context, pairs) -> Iterator[tuple[PlannedPost, PlannedPost, str, str]]:
    """Yield (post, other, network, detail) once per post and network.

    Without a focus the later post of each pair is reported, when it lies in
    the window; with a focus, the focus against its closest look-alike.
    """
    done: set[tuple[int, str]] = set()
    # Closest look-alike first, so that it is the one a post is reported against.
    ordered = sorted(pairs, key=lambda t: abs((t[0].when - t[1].when).total_seconds()))
    found = []
    for earlier, later, network, detail in ordered:
        if ctx.focus is not None:
            post, other = (later, earlier) if later.id == ctx.focus.id else (earlier, later)
            if post.id != ctx.focus.id:
                continue
        else:
            post, other = later, earlier
            if not ctx.start <= post.when < ctx.end:
                continue
        if (post.id, network) not in done:
            done.add((post.id, network))
            found.append((post, other, network, detail))
    # Reported in calendar order, like every other rule.
    yield from sorted(found, key=lambda t: (t[0].when, t[0].id, t[2]))


def duplicate_link(ctx: Context, severity: str) -> Iterator[Finding]:
    groups: dict[tuple[str, str], list[PlannedPost]] = defaultdict(list)
    for post in ctx.posts:
        for v in post.variants:
            for link in links_of(v.link, v.text):
                groups[v.network, link].append(post)
    pairs = []
    for (network, link), posts in groups.items():
        for i, later in enumerate(posts):
            for earlier in reversed(posts[:i]):
                if not close_enough(ctx, earlier, later):
                    break
                pairs.append((earlier, later, network, link))
    for post, other, network, link in _pairs_to_report(ctx, pairs):
        yield _duplicate(ctx, severity, "duplicate_link", post, other, network, link=link)


def duplicate_text(ctx: Context, severity: str) -> Iterator[Finding]:
    by_network: dict[str, list[tuple[PlannedPost, frozenset[str]]]] = defaultdict(list)
    for post in ctx.posts:
        for v in post.variants:
            words = words_of(v.text)
            if words:
                by_network[v.network].append((post, words))
    pairs = []
    for network, items in by_network.items():
        if ctx.focus is not None:
            mine = [w for p, w in items if p.id == ctx.focus.id]
            found = [
                (p, ctx.focus, w)
                for p, w in items
                if mine and close_enough(ctx, p, ctx.focus) and is_similar(w, mine[0])
            ]
            pairs += [(p, f, network, similarity(w, mine[0])) for p, f, w in found]
            continue
        posts = [p for p, _w in items]

        def may_pair(i: int, j: int, posts: list[PlannedPost] = posts) -> bool:
            return close_enough(ctx, posts[i], posts[j])

        matches = similar_pairs([w for _p, w in items], may_pair)
        pairs += [
            (posts[i], posts[j], network, similarity(items[i][1], items[j][1])) for i, j in matches
        ]
    for post, other, network, ratio in _pairs_to_report(ctx, pairs):
        yield _duplicate(ctx, severity, "duplicate_text", post, other, network, ratio=ratio)


def _duplicate(ctx, severity, rule, post, other, network, link="", ratio=None) -> Finding:
    values = {
        "other": other.title,
        "network": network_name(network),
        "day": day_text(other.day),
        "days": ctx.settings.duplicate_window_days,
        "link": link,
        "percent": round(100 * ratio) if ratio is not None else 100,
    }
    if rule == "duplicate_link":
        message = _(
            "“%(other)s” has the same link (%(link)s) on %(network)s on %(day)s, "
            "less than %(days)s days apart."
        )
        fix = _("Space the two posts at least %(days)s days apart, or link to something else.")
    else:
        message = _(
            "“%(other)s” has nearly the same text on %(network)s on %(day)s "
            "(%(percent)s%% of their words in common), less than %(days)s days apart."
        )
        fix = _("Space the two posts at least %(days)s days apart, or rewrite one of them.")
    return Finding(
        rule=rule,
        severity=severity,
        message=message % values,
        where=post_where(ctx, post, network),
        fix=fix % values,
        post_id=post.id,
        network=network,
        day=post.day,
    )
