"""Facet detection for Bluesky posts: what is a link, a mention, a tag, and its byte range."""

import pytest

from tribune.networks.bluesky.facets import LINK, MENTION, TAG, Kind, Span, detect, facet


def sliced(text: str, span: Span) -> str:
    """The text a facet points at, read the way Bluesky reads it: by UTF-8 bytes."""
    return text.encode("utf-8")[span.byte_start : span.byte_end].decode("utf-8")


def test_it_finds_a_link_in_plain_ascii():
    [span] = detect("Go to https://example.com now")
    assert span == Span(Kind.LINK, 6, 25, "https://example.com")


def test_it_counts_bytes_not_characters_after_accents_and_emoji():
    text = "Éthiopie Guji ☕🇪🇹 café : https://brulerie.example/guji"
    [span] = detect(text)
    start = text.index("https")
    assert span.byte_start == len(text[:start].encode("utf-8"))
    assert span.byte_start > start  # é is 2 bytes, ☕ 3, each flag letter 4
    assert sliced(text, span) == "https://brulerie.example/guji"


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("See https://example.com/a.", "https://example.com/a"),
        ("See https://example.com/a, then", "https://example.com/a"),
        ("Really? https://example.com/a?!", "https://example.com/a"),
        ("(see https://example.com/a)", "https://example.com/a"),
        (
            "https://en.wikipedia.org/wiki/Mocha_(coffee)",
            "https://en.wikipedia.org/wiki/Mocha_(coffee)",
        ),
        ("HTTP://EXAMPLE.COM/X", "HTTP://EXAMPLE.COM/X"),
        ("« https://example.com/q?a=1&b=2 »", "https://example.com/q?a=1&b=2"),
    ],
)
def test_it_leaves_sentence_punctuation_out_of_a_link(text, url):
    [span] = detect(text)
    assert (span.kind, span.value, sliced(text, span)) == (Kind.LINK, url, url)


@pytest.mark.parametrize(
    "text",
    ["no link here", "ftp://example.com/file", "xhttps://example.com", "https:// nothing"],
)
def test_it_finds_no_link_where_there_is_none(text):
    assert [s for s in detect(text) if s.kind is Kind.LINK] == []


def test_it_finds_a_mention_with_its_at_sign():
    text = "Merci @alice.test pour la photo"
    [span] = detect(text)
    assert (span.kind, span.value, sliced(text, span)) == (
        Kind.MENTION,
        "alice.test",
        "@alice.test",
    )


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("@bob.bsky.social ouvre le bal", "bob.bsky.social"),
        ("fin de phrase @alice.test.", "alice.test"),
        ("(@alice.test)", "alice.test"),
        ("Bravo @Alice.Test !", "alice.test"),
        ("😀 @brulerie-lumen.example, merci", "brulerie-lumen.example"),
    ],
)
def test_it_reads_the_handle_of_a_mention(text, handle):
    [span] = detect(text)
    assert (span.kind, span.value) == (Kind.MENTION, handle)
    assert sliced(text, span).lower() == f"@{handle}"


@pytest.mark.parametrize(
    "text",
    ["write to contact@alice.test", "@alice alone is no handle", "@-bad.test", "@alice.123"],
)
def test_it_finds_no_mention_without_a_handle(text):
    assert [s for s in detect(text) if s.kind is Kind.MENTION] == []


def test_it_finds_a_hashtag_without_its_trailing_punctuation():
    text = "Nouvel arrivage #café!"
    [span] = detect(text)
    assert (span.kind, span.value, sliced(text, span)) == (Kind.TAG, "café", "#café")


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("#torréfaction artisanale", ["torréfaction"]),
        ("deux #tags #ici", ["tags", "ici"]),
        ("#1 au classement", []),
        ("#2024 était bon", []),
        ("#2024bilan", ["2024bilan"]),
        ("page#ancre", []),
        ("# seul", []),
        ("#️⃣ clavier", []),
        ("plein ＃日本 largeur", ["日本"]),
        ("#" + "a" * 64, ["a" * 64]),
        ("#" + "a" * 65, []),
    ],
)
def test_it_applies_the_hashtag_rules(text, tags):
    assert [s.value for s in detect(text) if s.kind is Kind.TAG] == tags


def test_it_covers_a_full_width_hash_by_its_three_bytes():
    text = "＃日本"
    [span] = detect(text)
    assert (span.byte_start, span.byte_end) == (0, len(text.encode("utf-8")))


def test_it_ignores_an_anchor_inside_a_link():
    text = "Lire https://example.com/page #suite et https://example.com/x#y"
    spans = detect(text)
    assert [(s.kind, s.value) for s in spans] == [
        (Kind.LINK, "https://example.com/page"),
        (Kind.TAG, "suite"),
        (Kind.LINK, "https://example.com/x#y"),
    ]


def test_it_returns_everything_in_text_order_with_exact_byte_ranges():
    text = "🎉 Été chez @alice.test : https://brulerie.example/été #CaféDuMatin"
    spans = detect(text)
    assert [s.kind for s in spans] == [Kind.MENTION, Kind.LINK, Kind.TAG]
    assert [sliced(text, s) for s in spans] == [
        "@alice.test",
        "https://brulerie.example/été",
        "#CaféDuMatin",
    ]
    assert spans[-1].byte_end == len(text.encode("utf-8"))


def test_it_writes_each_feature_as_the_lexicon_names_it():
    link, mention, tag = detect("https://a.example @alice.test #tag")
    assert facet(link) == {
        "index": {"byteStart": 0, "byteEnd": 17},
        "features": [{"$type": LINK, "uri": "https://a.example"}],
    }
    assert facet(mention, did="did:plc:abc")["features"] == [
        {"$type": MENTION, "did": "did:plc:abc"}
    ]
    assert facet(tag)["features"] == [{"$type": TAG, "tag": "tag"}]
    assert facet(tag)["index"] == {"byteStart": 30, "byteEnd": 34}
