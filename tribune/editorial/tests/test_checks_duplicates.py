"""The same link or nearly the same text on a network within the duplicate window."""

from datetime import date

from tribune.editorial.checks import check_scheduling, run_checks
from tribune.editorial.checks_similarity import (
    is_similar,
    links_of,
    normalise_url,
    similar_pairs,
    words_of,
)

from .checks_helpers import NOW, at, only, post

TEXT = (
    "Notre nouvelle torréfaction arrive en boutique ce samedi avec un café d'Éthiopie "
    "fruité, une dégustation gratuite et des conseils pour le préparer chez vous"
)


def test_it_normalises_links_ignoring_utm_parameters():
    a = "https://www.example.org/blog/post/?utm_source=linkedin&b=2&a=1#top"
    b = "http://example.org/blog/post?a=1&b=2&UTM_campaign=spring"
    assert normalise_url(a) == normalise_url(b) == "example.org/blog/post?a=1&b=2"
    assert normalise_url("https://example.org/blog/post?a=2") != normalise_url(b)
    assert normalise_url("https://example.org:8443/x") == "example.org:8443/x"
    assert normalise_url("not a link") == "" and normalise_url("http://[::1") == ""


def test_it_finds_links_in_the_text_too():
    assert links_of("", "Lisez https://example.org/a?utm_medium=social.") == {"example.org/a"}


def test_it_measures_text_similarity_on_word_sets():
    words = words_of(TEXT)
    assert len(words) >= 20
    one_word = words_of(TEXT.replace("samedi", "dimanche"))
    assert is_similar(words, one_word)
    short = words_of("Un café fruité et une dégustation gratuite ce samedi en boutique")
    two_words = words_of("Un thé fruité et une dégustation gratuite ce dimanche en boutique")
    assert not is_similar(short, two_words)
    assert words_of("Voir https://example.org/x LE café") == words_of("voir le CAFÉ")


def test_it_finds_the_same_pairs_as_comparing_everything():
    texts = [words_of(TEXT), words_of(TEXT + " !"), words_of("autre chose"), words_of(TEXT[:60])]
    texts += [words_of(TEXT.replace("samedi", "lundi"))]
    brute = {(i, j) for i in range(5) for j in range(i + 1, 5) if is_similar(texts[i], texts[j])}
    assert set(similar_pairs(texts, lambda i, j: True)) == brute == {(0, 1), (0, 4), (1, 4)}


def test_it_flags_the_same_link_on_a_network_within_the_window(workspace):
    only(workspace, "duplicate_link", duplicate_window_days=14)
    first = post(workspace, at(3), title="Launch", link="https://example.org/p?utm_source=x")
    second = post(workspace, at(16), title="Again", link="https://example.org/p")
    post(workspace, at(17), ["bluesky"], title="Elsewhere", link="https://example.org/p")
    [finding] = run_checks(workspace, date(2025, 3, 1), date(2025, 4, 1), now=NOW)
    assert (finding.post_id, finding.network) == (second.pk, "linkedin")
    assert "“Launch”" in finding.message and "example.org/p" in finding.message
    assert "14 days apart" in finding.fix
    second.scheduled_at = at(17)  # 14 local days after the first: allowed again
    second.save()
    assert first.pk and run_checks(workspace, date(2025, 3, 1), date(2025, 4, 1), now=NOW) == []


def test_it_reports_the_later_post_only_when_it_is_in_the_window(workspace):
    only(workspace, "duplicate_link", duplicate_window_days=14)
    post(workspace, at(3), link="https://example.org/p")
    post(workspace, at(10), link="https://example.org/p")
    assert run_checks(workspace, date(2025, 3, 1), date(2025, 3, 5), now=NOW) == []
    assert len(run_checks(workspace, date(2025, 3, 8), date(2025, 3, 12), now=NOW)) == 1


def test_it_flags_nearly_the_same_text_but_not_a_different_one(workspace):
    only(workspace, "duplicate_text", duplicate_window_days=14)
    post(workspace, at(3), title="Saturday", text=TEXT)
    later = post(workspace, at(10), title="Sunday", text=TEXT.replace("samedi", "dimanche"))
    post(workspace, at(11), title="Other", text="Rencontrez notre équipe au salon de Lyon")
    [finding] = run_checks(workspace, date(2025, 3, 1), date(2025, 4, 1), now=NOW)
    assert finding.rule == "duplicate_text" and finding.post_id == later.pk
    assert "“Saturday”" in finding.message and "% of their words" in finding.message


def test_it_uses_the_master_text_when_a_variant_has_none(workspace):
    only(workspace, "duplicate_text")
    post(workspace, at(3), body=TEXT)
    post(workspace, at(4), text=TEXT)
    assert len(run_checks(workspace, date(2025, 3, 1), date(2025, 4, 1), now=NOW)) == 1


def test_it_checks_a_post_being_scheduled_against_both_sides(workspace):
    only(workspace, "duplicate_link", "duplicate_text", duplicate_window_days=7)
    post(workspace, at(12), title="Later", link="https://example.org/p", text=TEXT)
    mine = post(workspace, None, link="https://example.org/p?utm_medium=social", text=TEXT)
    blocking, warnings = check_scheduling(mine, at(6), now=NOW)
    assert blocking == [] and {f.rule for f in warnings} == {"duplicate_link", "duplicate_text"}
    assert all(f.post_id == mine.pk and "“Later”" in f.message for f in warnings)
    assert check_scheduling(mine, at(5), now=NOW) == ([], [])
