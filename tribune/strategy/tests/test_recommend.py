"""The recommender: each factor, the ranking, ties, closed networks, an empty persona."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from tribune.strategy.catalog import Catalog, Figure, Network, catalog
from tribune.strategy.recommend import (
    ObjectiveProfile,
    PersonaProfile,
    age_factor,
    b2b_factor,
    effort_factor,
    estimated_share,
    format_factor,
    objective_factor,
    presence_factor,
    recommend,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def network(key: str, **fields) -> Network:
    values = dict(
        key=key,
        name=key.title(),
        categories=("sharing",),
        status="alive",
        closed_on=None,
        orientation="b2c",
        age_bands={},
        france_users_millions=None,
        formats=("image",),
        uses={"en": "x"},
        api_publish=True,
        api_metrics=True,
        api_inbox=True,
        api_notes={},
        effort=1,
    )
    values.update(fields)
    return Network(**values)


def catalog_of(*networks: Network) -> Catalog:
    return Catalog(version="t", networks={n.key: n for n in networks}, sources={})


LEA = PersonaProfile("Léa", audience="b2c", age_min=18, age_max=30)


def test_it_rewards_a_network_whose_users_match_the_ages():
    young = network("young", age_bands={"13-30": Figure(80, "s", "2024")})
    old = network("old", age_bands={"50+": Figure(80, "s", "2024")})
    assert age_factor(LEA, young).points > 10 > age_factor(LEA, old).points
    assert "Léa" in age_factor(LEA, young).text and "Young" in age_factor(LEA, young).text


def test_it_estimates_the_share_from_partial_bands():
    net = network("n", age_bands={"35+": Figure(60, "s", "2024")})
    # 40 % left for ages 13-34 (22 years), spread evenly: ages 13-23 get 20 %.
    assert estimated_share(net, 13, 23) == pytest.approx(20)
    assert estimated_share(network("none"), 13, 23) is None


def test_it_stays_neutral_on_age_without_data():
    assert age_factor(LEA, network("n")).points == 10
    no_age = PersonaProfile("P")
    assert age_factor(no_age, network("n", age_bands={"35+": Figure(60, "s", "x")})).points == 10


def test_it_rewards_a_network_where_the_persona_already_is():
    there = PersonaProfile("P", networks=("instagram",))
    assert presence_factor(there, network("instagram")).points == 15
    assert presence_factor(there, network("linkedin")).points == 0
    assert presence_factor(PersonaProfile("P"), network("linkedin")).points == 7
    assert "already on Instagram" in presence_factor(there, network("instagram")).text


def test_it_scores_objectives_with_the_lever_table():
    expertise = [ObjectiveProfile("Be the reference", "expertise")]
    publishing = network("blog", categories=("publishing",))
    collab = network("board", categories=("collaboration",))
    assert objective_factor(LEA, expertise, publishing).points == 30
    assert objective_factor(LEA, expertise, collab).points == 0
    assert "Be the reference" in objective_factor(LEA, expertise, publishing).text
    assert objective_factor(LEA, [], collab).points == 15


def test_it_averages_several_objectives_and_takes_the_best_category():
    objectives = [ObjectiveProfile("a", "expertise"), ObjectiveProfile("b", "visibility")]
    both = network("both", categories=("publishing", "sharing"))
    assert objective_factor(LEA, objectives, both).points == 30
    publishing = network("pub", categories=("publishing",))
    assert objective_factor(LEA, objectives, publishing).points == 20


def test_it_scores_formats_in_proportion():
    persona = PersonaProfile("P", formats=("image", "video"))
    assert format_factor(persona, network("n", formats=("image", "video"))).points == 20
    assert format_factor(persona, network("n", formats=("image",))).points == 10
    assert format_factor(persona, network("n", formats=("text",))).points == 0
    assert format_factor(PersonaProfile("P"), network("n")).points == 10


def test_it_scores_b2b_orientation():
    b2b = PersonaProfile("Buyer", audience="b2b")
    assert b2b_factor(b2b, network("n", orientation="b2b")).points == 15
    assert b2b_factor(b2b, network("n", orientation="both")).points == 10
    assert b2b_factor(b2b, network("n", orientation="b2c")).points == 2
    assert "business target" in b2b_factor(b2b, network("n", orientation="b2c")).text


def test_it_penalises_effort():
    assert [effort_factor(network("n", effort=e)).points for e in (1, 2, 3)] == [0, -5, -10]


def test_it_ranks_by_score_then_key():
    persona = PersonaProfile("P", networks=("b",))
    result = recommend(persona, [], catalog_of(network("c"), network("a"), network("b")))
    assert [r.key for r in result] == ["b", "a", "c"]
    assert result[1].score == result[2].score


def test_it_never_recommends_a_closed_network():
    closed = network("gone", status="closed", closed_on=date(2012, 1, 15))
    result = recommend(LEA, [], catalog_of(closed, network("alive")))
    assert [r.key for r in result] == ["alive"]


def test_it_handles_an_empty_persona_on_the_real_catalog():
    result = recommend(PersonaProfile("Nobody"), [], catalog())
    assert result and all(0 <= r.score <= 100 for r in result)
    assert {r.key for r in result}.isdisjoint({"skype", "jaiku"})
    assert all(len(r.factors) == 6 and r.explanation for r in result)


def test_it_is_deterministic_and_sums_its_factors():
    persona = PersonaProfile("P", "b2b", 30, 50, ("linkedin",), ("document", "article"))
    objectives = [ObjectiveProfile("Expertise", "expertise")]
    first = recommend(persona, objectives, catalog())
    assert first == recommend(persona, objectives, catalog())
    assert first[0].key == "linkedin"
    for r in first:
        assert r.score == max(0, min(100, sum(f.points for f in r.factors)))


def test_it_keeps_explanations_translatable_until_rendered():
    from django.utils.functional import Promise

    factor = presence_factor(PersonaProfile("P", networks=("x",)), network("x"))
    assert isinstance(factor.message, Promise)
    assert factor.text == "P is already on X."
