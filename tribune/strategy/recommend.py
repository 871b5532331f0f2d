"""Step 3 of the method: which network for which target, as a score anyone can check.

`recommend()` is pure and deterministic: the same persona, objectives and
catalog always give the same ranking. Each score is the sum of a few factors;
each factor carries its points and a sentence saying why, so a person can
disagree with one factor rather than with a black box.

Points (the maxima add up to 100 before the effort penalty):
- audience fit, up to 35: the persona's ages against the network's sourced age
  bands (up to 20) and whether the persona is already there (up to 15);
- objective fit, up to 30: the levers of the persona's objectives against the
  network's categories (table LEVER_FIT below);
- format fit, up to 20: the persona's preferred formats the network carries;
- B2B fit, up to 15: the persona's B2B/B2C audience against the network's;
- effort, down to -10: networks that ask heavy production cost more.
When the input says nothing about a factor (no age, no objective, no format),
that factor gives half its points, so silence neither helps nor hurts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .catalog import AGE_CEILING, AGE_FLOOR, CATEGORIES, Catalog, Network
from .choices import ContentFormat, Lever

AGE_MAX_POINTS = 20
PRESENCE_MAX_POINTS = 15
OBJECTIVE_MAX_POINTS = 30
FORMAT_MAX_POINTS = 20
B2B_MAX_POINTS = 15
EFFORT_PENALTY = {1: 0, 2: -5, 3: -10}

# How well a category of network serves a lever, 0 (not at all) to 3 (made for it).
# Read a row as: "to <lever>, a <category> network helps this much". The values
# follow the seed article's description of each category: sharing spreads content,
# discussion creates closeness, networking serves B2B and expertise, collaboration
# is internal work, microblogging is real-time opinion, publishing shows expertise.
LEVER_FIT: dict[str, dict[str, int]] = {
    Lever.VISIBILITY: {
        "sharing": 3,
        "microblogging": 2,
        "networking": 2,
        "publishing": 1,
        "discussion": 0,
        "collaboration": 0,
    },
    Lever.TRAFFIC: {
        "publishing": 3,
        "sharing": 2,
        "microblogging": 2,
        "networking": 2,
        "discussion": 1,
        "collaboration": 0,
    },
    Lever.SALES: {
        "sharing": 3,
        "discussion": 2,
        "networking": 1,
        "microblogging": 1,
        "publishing": 1,
        "collaboration": 0,
    },
    Lever.ACQUISITION: {
        "networking": 3,
        "discussion": 2,
        "publishing": 2,
        "sharing": 1,
        "microblogging": 1,
        "collaboration": 1,
    },
    Lever.PROXIMITY: {
        "discussion": 3,
        "sharing": 2,
        "microblogging": 2,
        "networking": 1,
        "publishing": 1,
        "collaboration": 1,
    },
    Lever.EXPERTISE: {
        "publishing": 3,
        "networking": 3,
        "microblogging": 2,
        "sharing": 1,
        "discussion": 1,
        "collaboration": 0,
    },
    Lever.REPUTATION: {
        "microblogging": 3,
        "discussion": 2,
        "sharing": 2,
        "networking": 2,
        "publishing": 1,
        "collaboration": 0,
    },
    Lever.MONITORING: {
        "microblogging": 3,
        "discussion": 2,
        "networking": 2,
        "sharing": 1,
        "publishing": 1,
        "collaboration": 0,
    },
}
LEVER_FIT_MAX = 3


@dataclass(frozen=True)
class PersonaProfile:
    """What the recommender needs to know about a persona."""

    name: str
    audience: str = "b2c"  # "b2b", "b2c" or "both"
    age_min: int | None = None
    age_max: int | None = None
    networks: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectiveProfile:
    title: str
    lever: str


@dataclass(frozen=True)
class Factor:
    """One reason for a score: its points and a translatable sentence with its values."""

    key: str  # "audience", "presence", "objectives", "formats", "b2b", "effort"
    points: int
    message: Any  # a lazy translatable string with %(name)s placeholders
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Return the explanation in the active language."""
        return str(self.message) % {k: str(v) for k, v in self.params.items()}


@dataclass(frozen=True)
class Recommendation:
    network: Network
    score: int  # 0 to 100
    factors: tuple[Factor, ...]

    @property
    def key(self) -> str:
        return self.network.key

    @property
    def explanation(self) -> str:
        return " ".join(f.text for f in self.factors)


def recommend(
    persona: PersonaProfile, objectives: Sequence[ObjectiveProfile], catalog: Catalog
) -> list[Recommendation]:
    """Return every alive network scored for `persona`, best first, ties by network key.

    Closed networks are never returned.
    """
    results = []
    for network in catalog.networks.values():
        if not network.is_alive:
            continue
        factors = (
            age_factor(persona, network),
            presence_factor(persona, network),
            objective_factor(persona, objectives, network),
            format_factor(persona, network),
            b2b_factor(persona, network),
            effort_factor(network),
        )
        score = max(0, min(100, sum(f.points for f in factors)))
        results.append(Recommendation(network, score, factors))
    return sorted(results, key=lambda r: (-r.score, r.network.key))


def _names(persona: PersonaProfile, network: Network, **more: Any) -> dict[str, Any]:
    return {"persona": persona.name, "network": network.name, **more}


def estimated_share(network: Network, low: int, high: int) -> float | None:
    """Return the estimated percent of the network's users aged `low`..`high` inclusive.

    Known bands contribute their share in proportion to the years they share with
    the range; what no band covers shares the remaining percent evenly over the
    uncovered years. Returns None when the network has no sourced age band.
    """
    bands = network.parsed_age_bands()
    if not bands:
        return None
    covered: set[int] = set()
    share = 0.0
    for band, figure in bands:
        years = set(range(band.low, band.high + 1)) - covered
        if not years:
            continue
        covered |= years
        inside = len([y for y in years if low <= y <= high])
        share += figure.value * inside / len(years)
    rest_years = [y for y in range(AGE_FLOOR, AGE_CEILING + 1) if y not in covered]
    rest_share = max(0.0, 100.0 - sum(f.value for _b, f in bands))
    if rest_years:
        share += rest_share * len([y for y in rest_years if low <= y <= high]) / len(rest_years)
    return share


def age_factor(persona: PersonaProfile, network: Network) -> Factor:
    half = AGE_MAX_POINTS // 2
    names = _names(persona, network)
    if persona.age_min is None and persona.age_max is None:
        msg = _("%(persona)s has no age range, so age neither helps nor hurts %(network)s.")
        return Factor("audience", half, msg, names)
    low = max(AGE_FLOOR, persona.age_min or AGE_FLOOR)
    high = min(AGE_CEILING, persona.age_max or AGE_CEILING)
    share = estimated_share(network, low, high) if low <= high else None
    if share is None:
        msg = _("No sourced age figures for %(network)s, so age neither helps nor hurts.")
        return Factor("audience", half, msg, names)
    # Compare with an even spread of ages: 1.0 means the persona's ages are as
    # common on the network as on average, 2.0 twice as common.
    even = 100.0 * (high - low + 1) / (AGE_CEILING - AGE_FLOOR + 1)
    ratio = share / even if even else 0.0
    points = max(0, min(AGE_MAX_POINTS, round(half * ratio)))
    params = _names(persona, network, share=round(share), low=low, high=high, even=round(even))
    if ratio >= 1.2:
        msg = _(
            "About %(share)s%% of %(network)s's users are aged %(low)s–%(high)s, "
            "more than the %(even)s%% an even spread would give: %(persona)s's ages are "
            "well represented."
        )
    elif ratio <= 0.8:
        msg = _(
            "Only about %(share)s%% of %(network)s's users are aged %(low)s–%(high)s, "
            "less than the %(even)s%% an even spread would give: %(persona)s's ages are "
            "under-represented."
        )
    else:
        msg = _(
            "About %(share)s%% of %(network)s's users are aged %(low)s–%(high)s, close to "
            "an even spread (%(even)s%%)."
        )
    return Factor("audience", points, msg, params)


def presence_factor(persona: PersonaProfile, network: Network) -> Factor:
    names = _names(persona, network)
    if network.key in persona.networks:
        msg = _("%(persona)s is already on %(network)s.")
        return Factor("presence", PRESENCE_MAX_POINTS, msg, names)
    if not persona.networks:
        msg = _("Where %(persona)s spends time online is not known yet.")
        return Factor("presence", PRESENCE_MAX_POINTS // 2, msg, names)
    msg = _("%(network)s is not among the places where %(persona)s spends time online.")
    return Factor("presence", 0, msg, names)


def objective_factor(
    persona: PersonaProfile, objectives: Sequence[ObjectiveProfile], network: Network
) -> Factor:
    names = _names(persona, network)
    if not objectives:
        msg = _("No objective concerns %(persona)s yet, so objectives neither help nor hurt.")
        return Factor("objectives", OBJECTIVE_MAX_POINTS // 2, msg, names)
    fits = []
    for objective in objectives:
        row = LEVER_FIT.get(objective.lever, {})
        best = max((row.get(c, 0) for c in network.categories), default=0)
        fits.append((best, objective))
    average = sum(f for f, _o in fits) / (len(fits) * LEVER_FIT_MAX)
    points = round(OBJECTIVE_MAX_POINTS * average)
    best_fit, best_objective = max(fits, key=lambda p: p[0])
    params = _names(
        persona,
        network,
        objective=best_objective.title,
        lever=_lever_label(best_objective.lever),
        categories=", ".join(str(CATEGORIES[c]) for c in network.categories).lower(),
    )
    if best_fit >= 2:
        msg = _(
            "As a %(categories)s network, %(network)s serves the objective “%(objective)s” "
            "(%(lever)s)."
        )
    elif best_fit == 1:
        msg = _(
            "As a %(categories)s network, %(network)s serves the objective “%(objective)s” "
            "(%(lever)s) only a little."
        )
    else:
        msg = _(
            "As a %(categories)s network, %(network)s does little for %(persona)s's objectives."
        )
    return Factor("objectives", points, msg, params)


def _lever_label(value: str) -> str:
    return str(Lever(value).label) if value in Lever.values else value


def _format_labels(keys: Iterable[str]) -> str:
    return ", ".join(
        str(ContentFormat(k).label).lower() if k in ContentFormat.values else k for k in keys
    )


def format_factor(persona: PersonaProfile, network: Network) -> Factor:
    if not persona.formats:
        msg = _("%(persona)s has no preferred format, so formats neither help nor hurt.")
        return Factor("formats", FORMAT_MAX_POINTS // 2, msg, _names(persona, network))
    shared = [f for f in persona.formats if f in network.formats]
    points = round(FORMAT_MAX_POINTS * len(shared) / len(persona.formats))
    params = _names(
        persona,
        network,
        shared=_format_labels(shared),
        count=len(shared),
        total=len(persona.formats),
    )
    if shared:
        msg = _(
            "%(network)s carries %(count)s of the %(total)s formats %(persona)s prefers: "
            "%(shared)s."
        )
    else:
        msg = _("%(network)s carries none of the formats %(persona)s prefers.")
    return Factor("formats", points, msg, params)


def b2b_factor(persona: PersonaProfile, network: Network) -> Factor:
    names = _names(persona, network)
    if persona.audience == network.orientation:
        if persona.audience == "both":
            msg = _("%(network)s serves both businesses and consumers, as %(persona)s needs.")
        elif persona.audience == "b2b":
            msg = _("%(network)s is oriented to businesses, like %(persona)s.")
        else:
            msg = _("%(network)s is oriented to consumers, like %(persona)s.")
        return Factor("b2b", B2B_MAX_POINTS, msg, names)
    if "both" in (persona.audience, network.orientation):
        msg = _("%(network)s covers part of %(persona)s's business or consumer audience.")
        return Factor("b2b", round(B2B_MAX_POINTS * 2 / 3), msg, names)
    if network.orientation == "b2b":
        msg = _("%(network)s is oriented to businesses, while %(persona)s is a consumer target.")
    else:
        msg = _("%(network)s is oriented to consumers, while %(persona)s is a business target.")
    return Factor("b2b", 2, msg, names)


def effort_factor(network: Network) -> Factor:
    points = EFFORT_PENALTY.get(network.effort, 0)
    names = {"network": network.name}
    if points == 0:
        return Factor("effort", 0, _("%(network)s asks little production effort."), names)
    if network.effort == 2:
        msg = _("%(network)s asks a moderate production effort.")
    else:
        msg = _("%(network)s asks a heavy production effort (visuals, video).")
    return Factor("effort", points, msg, names)


def profile_of(persona: Any) -> PersonaProfile:
    """Return the PersonaProfile of a Persona model instance (reads attributes only)."""
    return PersonaProfile(
        name=persona.name,
        audience=persona.audience,
        age_min=persona.age_min,
        age_max=persona.age_max,
        networks=tuple(persona.networks or ()),
        formats=tuple(persona.formats or ()),
    )


def objectives_of(objectives: Iterable[Any]) -> list[ObjectiveProfile]:
    """Return ObjectiveProfiles for Objective model instances, in a stable order."""
    return [ObjectiveProfile(o.title, o.lever) for o in sorted(objectives, key=lambda o: o.pk)]
