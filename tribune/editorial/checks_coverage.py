"""The calendar-wide checks: what the plan leaves out of the strategy.

Personas and objectives are judged over the coming weeks (from now, for
EditorialSettings.coverage_weeks), whatever window is displayed, because the
question is "is the plan ahead serving them?". Networks are judged over the
window checked. None of these rules concerns a single post, so scheduling
checks skip them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tribune.strategy.catalog import network_name

from . import checks_data
from .checks_data import Context, Finding, day_text


def coming(ctx: Context) -> tuple[int, set[int], set[int]]:
    """Return the number of coming weeks and the persona and objective ids served then."""
    weeks = ctx.settings.coverage_weeks
    if ctx.coverage is None:
        ctx.coverage = checks_data.served(ctx.workspace, ctx.now, ctx.now + timedelta(weeks=weeks))
    return weeks, ctx.coverage[0], ctx.coverage[1]


def persona_not_served(ctx: Context, severity: str) -> Iterator[Finding]:
    weeks, personas, _objectives = coming(ctx)
    for pk, name in checks_data.personas_of(ctx.workspace):
        if pk in personas:
            continue
        yield Finding(
            rule="persona_not_served",
            severity=severity,
            message=ngettext(
                "No post planned in the next %(weeks)s week targets %(persona)s.",
                "No post planned in the next %(weeks)s weeks targets %(persona)s.",
                weeks,
            )
            % {"weeks": weeks, "persona": name},
            where=_("Persona %(persona)s") % {"persona": name},
            fix=_("Plan a post for %(persona)s, or choose this persona on a planned post.")
            % {"persona": name},
            persona_id=pk,
        )


def objective_not_served(ctx: Context, severity: str) -> Iterator[Finding]:
    weeks, _personas, objectives = coming(ctx)
    for pk, title in checks_data.open_objectives(ctx.workspace, ctx.local_day(ctx.now)):
        if pk in objectives:
            continue
        yield Finding(
            rule="objective_not_served",
            severity=severity,
            message=ngettext(
                "No post planned in the next %(weeks)s week serves the objective “%(objective)s”.",
                "No post planned in the next %(weeks)s weeks serves the objective “%(objective)s”.",
                weeks,
            )
            % {"weeks": weeks, "objective": title},
            where=_("Objective “%(objective)s”") % {"objective": title},
            fix=_("Plan a post that serves it, or add it to the objectives of a planned post."),
            objective_id=pk,
        )


def network_not_planned(ctx: Context, severity: str) -> Iterator[Finding]:
    if ctx.end <= ctx.now:
        return  # a window that is over cannot be planned any more
    planned = {v.network for p in ctx.in_window() for v in p.variants}
    values = {
        "first": day_text(ctx.first_day),
        "last": day_text(ctx.last_day),
    }
    for network in sorted(ctx.limits):
        if network in planned:
            continue
        name = network_name(network)
        yield Finding(
            rule="network_not_planned",
            severity=severity,
            message=_(
                "Nothing is planned on %(network)s from %(first)s to %(last)s, "
                "though the strategy chose this network."
            )
            % {**values, "network": name},
            where=name,
            fix=_("Plan posts for %(network)s, or review the choice of this network.")
            % {"network": name},
            network=network,
        )
