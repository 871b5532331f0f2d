"""Counting rules: each network's way of measuring a text, on texts where they differ."""

from __future__ import annotations

import pytest

from tribune.editorial.counting import Counting, count, graphemes, hashtags, links
from tribune.editorial.rules import NETWORK_RULES, UNCHECKED_NETWORKS, count_text
from tribune.strategy.catalog import networks

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one emoji, 7 code points
FLAG = "\U0001f1eb\U0001f1f7"  # 🇫🇷, two regional indicators
E_ACUTE_DECOMPOSED = "e\u0301"  # é as e + combining accent
LONG_URL = "https://example.org/" + "a" * 100


def test_it_counts_bluesky_in_graphemes() -> None:
    assert count_text("bluesky", FAMILY) == 1
    assert count_text("bluesky", FLAG + E_ACUTE_DECOMPOSED) == 2
    assert count_text("bluesky", "a" * 300) == 300


def test_it_counts_a_whole_url_on_bluesky() -> None:
    assert count_text("bluesky", LONG_URL) == len(LONG_URL)


@pytest.mark.parametrize("network", ["x", "mastodon"])
def test_it_counts_any_url_as_23_on_x_and_mastodon(network: str) -> None:
    assert count_text(network, LONG_URL) == 23
    assert count_text(network, "https://a.fr") == 23
    assert count_text(network, f"Read {LONG_URL}.") == len("Read ") + 23 + 1
    assert count_text(network, f"{LONG_URL} and www.example.com/x") == 23 + 5 + 23


def test_it_weighs_cjk_and_emoji_double_on_x() -> None:
    assert count_text("x", "日本") == 4
    assert count_text("x", FAMILY) == 2
    assert count_text("x", "café") == 4
    # NFC: a decomposed é counts as one light character, not two.
    assert count_text("x", "caf" + E_ACUTE_DECOMPOSED) == 4


def test_it_counts_a_remote_mention_by_its_local_name_on_mastodon() -> None:
    assert count_text("mastodon", "@bob@mastodon.social hi") == len("@bob hi")
    assert count_text("mastodon", FAMILY) == 1


def test_it_counts_youtube_descriptions_in_utf8_bytes() -> None:
    assert count_text("youtube", "abc") == 3
    assert count_text("youtube", "é") == 2
    assert count_text("youtube", FAMILY) == 25


@pytest.mark.parametrize("network", ["linkedin", "instagram", "threads", "telegram", "pinterest"])
def test_it_counts_code_points_where_the_network_counts_characters(network: str) -> None:
    assert count_text(network, "caf" + E_ACUTE_DECOMPOSED) == 4
    assert count_text(network, LONG_URL) == len(LONG_URL)


def test_it_counts_characters_on_a_network_with_no_rules() -> None:
    assert count_text("wordpress", "abc " + LONG_URL) == 4 + len(LONG_URL)
    assert count_text("unknown-network", "abc") == 3


def test_it_finds_hashtags_once_each_and_ignores_numbers_and_anchors() -> None:
    assert hashtags("#Lumen #lumen #été c#sharp #2024 &#39; #a1") == ["lumen", "été", "a1"]


def test_it_finds_links_without_trailing_punctuation() -> None:
    assert links("See https://a.fr/x, then (www.b.org).") == ["https://a.fr/x", "www.b.org"]


def test_it_counts_graphemes_of_combining_sequences() -> None:
    assert graphemes("") == 0
    assert graphemes("a" + "\u0301" * 5) == 1
    # NFC composes a + acute into one code point; an enclosing circle stays two.
    assert count(Counting.CHARACTERS, "a" + "\u0301") == 1
    assert count(Counting.CHARACTERS, "a" + "\u20dd") == 2


def test_it_has_a_row_or_an_explicit_absence_for_every_alive_network() -> None:
    alive = {n.key for n in networks() if n.is_alive}
    assert alive == set(NETWORK_RULES) | UNCHECKED_NETWORKS
    assert not set(NETWORK_RULES) & UNCHECKED_NETWORKS


def test_it_sources_every_row_of_the_table() -> None:
    for rules in NETWORK_RULES.values():
        assert rules.sources, rules.network
        assert all(s.startswith("https://") for s in rules.sources)
