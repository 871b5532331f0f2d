"""The network reference data: every network the method names, as typed records.

The data lives in `data/networks.json`, versioned with the code. Each figure
carries its source and the date it describes; a figure no source gave is
absent (None), never estimated. Loaded once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).parent / "data" / "networks.json"

CATEGORIES = {
    "sharing": _("Sharing"),
    "discussion": _("Discussion"),
    "networking": _("Networking"),
    "collaboration": _("Collaboration"),
    "microblogging": _("Microblogging"),
    "publishing": _("Publishing"),
}

ORIENTATIONS = {"b2b": _("B2B"), "b2c": _("B2C"), "both": _("B2B and B2C")}

# Ages outside this span are not a target the method deals with (personas start at 13).
AGE_FLOOR = 13
AGE_CEILING = 75


def localized(texts: dict[str, str]) -> str:
    """Return the text in the active language, falling back to English, then to any."""
    lang = (get_language() or "fr")[:2]
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Figure:
    """One sourced number: its value, the source id, and the date it describes.

    `more_than` marks a lower bound ("more than 40 million"), as the source gave it.
    """

    value: float
    source: str
    as_of: str
    more_than: bool = False


@dataclass(frozen=True)
class AudienceNote:
    """A sourced statement about a network's audience that is not a single number."""

    text: dict[str, str]
    source: str
    as_of: str

    @property
    def text_localized(self) -> str:
        return localized(self.text)


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str
    published: str
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def notes_text(self) -> str:
        return localized(self.notes) if self.notes else ""


@dataclass(frozen=True)
class AgeBand:
    """An age band parsed from a key such as "12-25" or "35+", clipped to the method's span."""

    key: str
    low: int
    high: int  # inclusive

    @classmethod
    def parse(cls, key: str) -> AgeBand:
        """Return the band for `key`; raises ValueError on a malformed key."""
        if key.endswith("+"):
            low, high = int(key[:-1]), AGE_CEILING
        else:
            left, right = key.split("-", 1)
            low, high = int(left), int(right)
        low, high = max(low, AGE_FLOOR), min(high, AGE_CEILING)
        if low > high:
            raise ValueError(f"empty age band {key!r}")
        return cls(key, low, high)


@dataclass(frozen=True)
class Network:
    key: str
    name: str
    categories: tuple[str, ...]
    status: str  # "alive" or "closed"
    closed_on: date | None
    orientation: str  # "b2b", "b2c" or "both"
    age_bands: dict[str, Figure]  # share of the network's users in each band, percent
    france_users_millions: Figure | None  # monthly users or visitors in France
    formats: tuple[str, ...]
    uses: dict[str, str]  # language -> text
    api_publish: bool
    api_metrics: bool
    api_inbox: bool
    api_notes: dict[str, str]
    effort: int  # 1 (light) to 3 (heavy): the production effort the network asks
    sources: tuple[str, ...] = field(default=())
    # Share of French internet users aged 16-64 using the network each month, percent.
    france_reach_pct: Figure | None = None
    france_daily_users_millions: Figure | None = None
    audience_notes: tuple[AudienceNote, ...] = field(default=())

    @property
    def is_alive(self) -> bool:
        return self.status == "alive"

    def localized(self, texts: dict[str, str]) -> str:
        return localized(texts)

    @property
    def uses_text(self) -> str:
        return self.localized(self.uses)

    @property
    def api_notes_text(self) -> str:
        return self.localized(self.api_notes) if self.api_notes else ""

    @property
    def category_labels(self) -> list[str]:
        return [str(CATEGORIES[c]) for c in self.categories]

    @property
    def orientation_label(self) -> str:
        return str(ORIENTATIONS[self.orientation])

    def figures(self) -> list[Figure]:
        """Return every sourced figure of this network (for checks and source lists)."""
        singles = [self.france_reach_pct, self.france_users_millions]
        singles.append(self.france_daily_users_millions)
        return [f for f in singles if f] + list(self.age_bands.values())

    def parsed_age_bands(self) -> list[tuple[AgeBand, Figure]]:
        return sorted(
            ((AgeBand.parse(k), f) for k, f in self.age_bands.items()), key=lambda p: p[0].low
        )


def _figure(raw: dict | None) -> Figure | None:
    if not raw:
        return None
    return Figure(
        value=float(raw["value"]),
        source=raw["source"],
        as_of=raw["as_of"],
        more_than=bool(raw.get("more_than", False)),
    )


@dataclass(frozen=True)
class Catalog:
    version: str
    networks: dict[str, Network]
    sources: dict[str, Source]


def parse(raw: dict) -> Catalog:
    """Return the catalog for already-decoded JSON (raises KeyError/ValueError if malformed)."""
    sources = {s["key"]: Source(**s) for s in raw["sources"]}
    networks = {}
    for item in raw["networks"]:
        net = Network(
            key=item["key"],
            name=item["name"],
            categories=tuple(item["categories"]),
            status=item["status"],
            closed_on=date.fromisoformat(item["closed_on"]) if item.get("closed_on") else None,
            orientation=item["orientation"],
            age_bands={k: _figure(v) for k, v in item.get("age_bands", {}).items()},
            france_users_millions=_figure(item.get("france_users_millions")),
            formats=tuple(item["formats"]),
            uses=item["uses"],
            api_publish=item["api"]["publish"],
            api_metrics=item["api"]["metrics"],
            api_inbox=item["api"]["inbox"],
            api_notes=item["api"].get("notes", {}),
            effort=int(item["effort"]),
            sources=tuple(item.get("sources", [])),
            france_reach_pct=_figure(item.get("france_reach_pct")),
            france_daily_users_millions=_figure(item.get("france_daily_users_millions")),
            audience_notes=tuple(AudienceNote(**n) for n in item.get("audience_notes", [])),
        )
        networks[net.key] = net
    return Catalog(version=raw["version"], networks=networks, sources=sources)


@cache
def catalog() -> Catalog:
    """Return the parsed reference data (raises ValueError on a malformed file)."""
    return parse(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def networks() -> list[Network]:
    return list(catalog().networks.values())


def get_network(key: str) -> Network | None:
    return catalog().networks.get(key)


def network_name(key: str) -> str:
    net = get_network(key)
    return net.name if net else key


def network_options(include_closed: bool = False) -> list[tuple[str, str]]:
    """Return (key, name) pairs for form choices, alive networks only by default."""
    return sorted(
        ((n.key, n.name) for n in networks() if include_closed or n.is_alive),
        key=lambda pair: pair[1].lower(),
    )
