"""The network reference data: complete for the seed article, every figure sourced."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tribune.strategy.catalog import (
    CATEGORIES,
    DATA_FILE,
    AgeBand,
    catalog,
    get_network,
    network_name,
    network_options,
    parse,
)
from tribune.strategy.choices import ContentFormat

# Every network the seed article names, plus the three users now expect.
SEED_NETWORKS = {
    "facebook", "youtube", "instagram", "whatsapp", "snapchat", "x", "linkedin",
    "pinterest", "dailymotion", "messenger", "skype", "telegram", "discourse", "slack",
    "trello", "asana", "teams", "tumblr", "jaiku", "wordpress", "mediawiki", "slideshare",
    "scribd", "blogger", "mastodon", "bluesky", "threads",
}  # fmt: skip


def test_it_lists_every_seed_network():
    assert set(catalog().networks) >= SEED_NETWORKS


def test_it_has_a_version():
    assert catalog().version


def test_it_dates_closed_networks():
    closed = {n.key: n.closed_on for n in catalog().networks.values() if not n.is_alive}
    assert closed["skype"] == date(2025, 5, 5)
    assert closed["jaiku"] == date(2012, 1, 15)
    assert all(closed.values())


def test_it_sources_every_figure():
    data = catalog()
    for network in data.networks.values():
        for figure in network.figures():
            assert figure.source in data.sources, (network.key, figure)
            assert figure.as_of, (network.key, figure)
            assert figure.source in network.sources, (network.key, figure.source)
        for note in network.audience_notes:
            assert note.source in data.sources
            assert note.text["en"] and note.text["fr"]
        for key in network.sources:
            assert key in data.sources, (network.key, key)


def test_it_gives_each_source_a_title_url_and_date():
    for source in catalog().sources.values():
        assert source.title and source.published
        # The project's own reference file is the only source without a web address.
        assert source.url.startswith("https://") or source.key == "tribune-networks-md"


def test_it_uses_only_known_formats_and_categories():
    for network in catalog().networks.values():
        assert set(network.formats) <= set(ContentFormat.values), network.key
        assert network.categories and set(network.categories) <= set(CATEGORIES), network.key
        assert network.orientation in {"b2b", "b2c", "both"}
        assert network.effort in {1, 2, 3}


def test_it_writes_uses_and_api_notes_in_both_languages():
    for network in catalog().networks.values():
        assert network.uses["en"] and network.uses["fr"], network.key
        if network.api_notes:
            assert network.api_notes["en"] and network.api_notes["fr"], network.key


def test_it_keeps_age_bands_parseable_and_below_100_percent():
    for network in catalog().networks.values():
        bands = network.parsed_age_bands()
        assert sum(f.value for _b, f in bands) <= 100
        for band, figure in bands:
            assert 0 < figure.value <= 100
            assert band.low <= band.high


def test_it_parses_age_band_keys():
    assert AgeBand.parse("35+") == AgeBand("35+", 35, 75)
    assert AgeBand.parse("12-25") == AgeBand("12-25", 13, 25)
    with pytest.raises(ValueError):
        AgeBand.parse("abc")


def test_it_rejects_a_malformed_file():
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    del raw["networks"][0]["api"]
    with pytest.raises(KeyError):
        parse(raw)


def test_it_offers_only_alive_networks_by_default():
    keys = {k for k, _n in network_options()}
    assert "skype" not in keys and "jaiku" not in keys
    assert "skype" in {k for k, _n in network_options(include_closed=True)}
    assert network_name("linkedin") == "LinkedIn"
    assert network_name("unknown") == "unknown"
    assert get_network("unknown") is None
