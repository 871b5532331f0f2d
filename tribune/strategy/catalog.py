"""The network reference data: every network the method names, as typed records.

The data lives in `data/networks.json`, versioned with the code. Each figure
carries its source and the date it describes. Loaded once per process.
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


@dataclass(frozen=True)
class Figure:
    """One sourced number: its value, the source id, and the date it describes."""

    value: float
    source: str
    as_of: str


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str
    published: str


@dataclass(frozen=True)
class Network:
    key: str
    name: str
    categories: tuple[str, ...]
    status: str  # "alive" or "closed"
    closed_on: date | None
    orientation: str  # "b2b", "b2c" or "both"
    age_bands: dict[str, Figure]  # share of the network's users in each band, percent
    france_users_millions: Figure | None
    formats: tuple[str, ...]
    uses: dict[str, str]  # language -> text
    api_publish: bool
    api_metrics: bool
    api_inbox: bool
    api_notes: dict[str, str]
    effort: int  # 1 (light) to 3 (heavy): the production effort the network asks
    sources: tuple[str, ...] = field(default=())

    @property
    def is_alive(self) -> bool:
        return self.status == "alive"

    def localized(self, texts: dict[str, str]) -> str:
        lang = (get_language() or "fr")[:2]
        return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")

    @property
    def uses_text(self) -> str:
        return self.localized(self.uses)

    @property
    def api_notes_text(self) -> str:
        return self.localized(self.api_notes)

    @property
    def category_labels(self) -> list[str]:
        return [str(CATEGORIES[c]) for c in self.categories]


def _figure(raw: dict | None) -> Figure | None:
    if not raw:
        return None
    return Figure(value=float(raw["value"]), source=raw["source"], as_of=raw["as_of"])


@dataclass(frozen=True)
class Catalog:
    version: str
    networks: dict[str, Network]
    sources: dict[str, Source]


@cache
def catalog() -> Catalog:
    """Return the parsed reference data (raises ValueError on a malformed file)."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
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
        )
        networks[net.key] = net
    return Catalog(version=raw["version"], networks=networks, sources=sources)


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
