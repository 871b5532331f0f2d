"""check_variant: every rule of the table, broken and kept, with the message saying by how much."""

from __future__ import annotations

import pytest

from tribune.editorial.choices import MediaKind
from tribune.editorial.models import MediaAsset, Post, Variant, VariantMedia
from tribune.editorial.rules import (
    NETWORK_RULES,
    Problem,
    check_variant,
    published_text,
)


def variant(network: str, text: str = "", **fields) -> Variant:
    return Variant(network=network, text=text, **fields)


def image(name: str = "photo.jpg", **fields) -> MediaAsset:
    values = {
        "kind": MediaKind.IMAGE,
        "mime_type": "image/jpeg",
        "size_bytes": 100_000,
        "width": 1080,
        "height": 1080,
        "alt_text": "A lamp on a desk",
    }
    return MediaAsset(original_name=name, **(values | fields))


def video(name: str = "clip.mp4", **fields) -> MediaAsset:
    values = {
        "kind": MediaKind.VIDEO,
        "mime_type": "video/mp4",
        "size_bytes": 1_000_000,
        "width": 1080,
        "height": 1080,
        "duration_s": 30.0,
        "alt_text": "A lamp turning on",
    }
    return MediaAsset(original_name=name, **(values | fields))


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, codes(problems)
    return found[0]


@pytest.mark.parametrize(
    ("network", "limit"),
    [
        ("bluesky", 300),
        ("x", 280),
        ("mastodon", 500),
        ("linkedin", 3000),
        ("instagram", 2200),
        ("threads", 500),
        ("telegram", 4096),
        ("pinterest", 500),
        ("youtube", 5000),
        ("facebook", 63206),
        ("whatsapp", 4096),
        ("messenger", 2000),
    ],
)
def test_it_accepts_a_text_at_the_limit_and_refuses_one_over(network: str, limit: int) -> None:
    # Media and titles the network requires, so only the text is in question.
    media = {"instagram": [image()], "pinterest": [image()], "youtube": [video()]}.get(network, [])
    options = {"title": "A title"} if network == "youtube" else {}
    at_limit = check_variant(variant(network, "a" * limit, options=options), media)
    assert "text_too_long" not in codes(at_limit)
    problem = only(
        check_variant(variant(network, "a" * (limit + 7), options=options), media), "text_too_long"
    )
    assert (problem.field, problem.limit, problem.actual) == ("text", limit, limit + 7)
    assert "7 too many" in problem.message
    assert str(limit) in problem.message


def test_it_says_bluesky_counts_graphemes_in_the_message() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    assert check_variant(variant("bluesky", family * 300)) == []
    problem = only(check_variant(variant("bluesky", family * 301)), "text_too_long")
    assert problem.actual == 301
    assert "graphemes" in problem.message


def test_it_counts_the_link_field_as_23_on_x() -> None:
    long_link = "https://example.org/" + "a" * 200
    # 256 characters, a new line, then the link as 23: 280.
    assert check_variant(variant("x", "a" * 256, link=long_link)) == []
    problem = only(check_variant(variant("x", "a" * 257, link=long_link)), "text_too_long")
    assert problem.actual == 281
    assert "23" in problem.message


def test_it_appends_missing_hashtags_and_the_link_to_the_published_text() -> None:
    v = variant("mastodon", "Hello #Lumen", hashtags=["lumen", "#Lamps"], link="https://a.fr")
    assert published_text(v) == "Hello #Lumen\n#Lamps\nhttps://a.fr"
    same_link = variant("mastodon", "See https://a.fr", link="https://a.fr")
    assert published_text(same_link) == "See https://a.fr"
    pin = variant("pinterest", "Pin", link="https://a.fr")
    assert published_text(pin) == "Pin"


def test_it_limits_instagram_to_30_hashtags_text_and_list_together() -> None:
    text = " ".join(f"#tag{i}" for i in range(25))
    ok = variant("instagram", text, hashtags=[f"more{i}" for i in range(5)])
    assert check_variant(ok, [image()]) == []
    over = variant("instagram", text, hashtags=[f"more{i}" for i in range(8)])
    problem = only(check_variant(over, [image()]), "too_many_hashtags")
    assert (problem.limit, problem.actual) == (30, 33)
    assert "3 too many" in problem.message


def test_it_limits_instagram_mentions_to_20() -> None:
    ok = variant("instagram", "Hi", mentions=[f"user{i}" for i in range(20)])
    assert check_variant(ok, [image()]) == []
    problem = only(
        check_variant(variant("instagram", "Hi", mentions=["u"] * 21), [image()]),
        "too_many_mentions",
    )
    assert (problem.limit, problem.actual) == (20, 21)


def test_it_refuses_a_link_on_instagram() -> None:
    problem = only(
        check_variant(variant("instagram", "Hi", link="https://a.fr"), [image()]),
        "link_not_supported",
    )
    assert problem.field == "link"


def test_it_limits_a_telegram_caption_to_1024_when_media_is_attached() -> None:
    assert check_variant(variant("telegram", "a" * 4096), []) == []
    assert check_variant(variant("telegram", "a" * 1024), [image()]) == []
    problem = only(check_variant(variant("telegram", "a" * 1100), [image()]), "caption_too_long")
    assert (problem.limit, problem.actual) == (1024, 1100)
    assert "76 too many" in problem.message


def test_it_requires_a_youtube_title_of_at_most_100_characters() -> None:
    problems = check_variant(variant("youtube", "Description"), [video()])
    assert codes(problems) == ["title_missing"]
    ok = variant("youtube", "Description", options={"title": "t" * 100})
    assert check_variant(ok, [video()]) == []
    long = variant("youtube", "Description", options={"title": "t" * 104})
    problem = only(check_variant(long, [video()]), "title_too_long")
    assert (problem.field, problem.limit, problem.actual) == ("title", 100, 104)
    assert "4 too many" in problem.message


def test_it_refuses_angle_brackets_on_youtube() -> None:
    v = variant("youtube", "a <b> c", options={"title": "x > y"})
    problems = [p for p in check_variant(v, [video()]) if p.code == "forbidden_character"]
    assert sorted(p.field for p in problems) == ["text", "title"]


def test_it_limits_a_pinterest_title_to_100_and_description_to_500() -> None:
    ok = variant("pinterest", "d" * 500, options={"title": "t" * 100})
    assert check_variant(ok, [image()]) == []
    over = variant("pinterest", "d" * 501, options={"title": "t" * 101})
    assert sorted(codes(check_variant(over, [image()]))) == ["text_too_long", "title_too_long"]


@pytest.mark.parametrize(
    ("network", "minimum"), [("instagram", 1), ("pinterest", 1), ("youtube", 1)]
)
def test_it_requires_media_where_the_network_does(network: str, minimum: int) -> None:
    v = variant(network, "Hi", options={"title": "T"})
    problem = only(check_variant(v, []), "media_missing")
    assert (problem.limit, problem.actual) == (minimum, 0)


@pytest.mark.parametrize("network", [n for n, r in NETWORK_RULES.items() if r.media.max_items])
def test_it_limits_the_number_of_media(network: str) -> None:
    limit = NETWORK_RULES[network].media.max_items
    assert limit is not None
    options = {"title": "T"}
    kind = video if network == "youtube" else image
    fine = check_variant(variant(network, "Hi", options=options), [kind() for _ in range(limit)])
    assert "too_many_media" not in codes(fine)
    over = check_variant(
        variant(network, "Hi", options=options), [kind() for _ in range(limit + 1)]
    )
    assert only(over, "too_many_media").actual == limit + 1


def test_it_refuses_images_on_youtube_and_a_video_mixed_with_images_on_x() -> None:
    yt = check_variant(variant("youtube", "Hi", options={"title": "T"}), [image()])
    assert "media_kind_not_supported" in codes(yt)
    x = check_variant(variant("x", "Hi"), [video(), image()])
    assert "video_not_alone" in codes(x)
    assert check_variant(variant("x", "Hi"), [image(), image()]) == []


def test_it_checks_media_type_size_duration_and_ratio() -> None:
    problems = check_variant(
        variant("instagram", "Hi"),
        [
            image("a.png", mime_type="image/png"),
            image("big.jpg", size_bytes=9_000_000),
            image("wide.jpg", width=3000, height=1000),
            video("long.mp4", duration_s=1000.0),
            video("short.mp4", duration_s=1.0),
        ],
    )
    assert sorted(codes(problems)) == [
        "aspect_ratio",
        "media_too_large",
        "media_type_not_supported",
        "video_too_long",
        "video_too_short",
    ]
    size = only(problems, "media_too_large")
    assert "9.0 MB" in size.message and "8.0 MB" in size.message
    ratio = only(problems, "aspect_ratio")
    assert ratio.actual == 3.0 and ratio.limit == 1.91


def test_it_limits_a_bluesky_image_to_one_megabyte() -> None:
    assert check_variant(variant("bluesky", "Hi"), [image(size_bytes=1_000_000)]) == []
    problem = only(
        check_variant(variant("bluesky", "Hi"), [image(size_bytes=1_200_000)]), "media_too_large"
    )
    assert (problem.limit, problem.actual) == (1_000_000, 1_200_000)


def test_it_requires_alt_text_and_limits_its_length() -> None:
    missing = only(check_variant(variant("x", "Hi"), [image(alt_text="  ")]), "alt_text_missing")
    assert missing.field == "alt_text"
    problem = only(
        check_variant(variant("x", "Hi"), [image(alt_text="a" * 1001)]), "alt_text_too_long"
    )
    assert (problem.limit, problem.actual) == (1000, 1001)


def test_it_refuses_a_first_comment_where_the_network_has_none() -> None:
    assert check_variant(variant("x", "Hi", first_comment="More below")) == []
    problem = only(
        check_variant(variant("telegram", "Hi", first_comment="More")),
        "first_comment_not_supported",
    )
    assert problem.field == "first_comment"


def test_it_checks_nothing_on_a_network_without_rules() -> None:
    assert check_variant(variant("wordpress", "a" * 100_000, first_comment="x"), [image()]) == []


@pytest.mark.django_db
def test_it_reads_attached_media_with_their_per_network_alt_text(workspace) -> None:
    post = Post.objects.create(workspace=workspace, title="Launch")
    saved = Variant.objects.create(post=post, network="x", text="Hi")
    asset = image(alt_text="Generic description", workspace=workspace, file="media/a.jpg")
    asset.save()
    VariantMedia.objects.create(variant=saved, media=asset, alt_text="b" * 1001)
    problem = only(check_variant(saved), "alt_text_too_long")
    assert problem.actual == 1001
