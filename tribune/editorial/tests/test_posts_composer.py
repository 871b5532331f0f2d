"""Adapting a post per network: saving variants, media and alt texts, and the live check."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tribune.editorial.choices import MediaKind, PostFormat, PostState
from tribune.editorial.models import MediaAsset, Post, Variant, VariantMedia
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Workspace
from tribune.workspaces.roles import Role

from .test_posts_views import make_post, variant_data

pytestmark = pytest.mark.django_db


def make_media(workspace: Workspace, name: str = "lamp.jpg", **fields) -> MediaAsset:
    values = {
        "kind": MediaKind.IMAGE,
        "mime_type": "image/jpeg",
        "size_bytes": 200_000,
        "width": 1080,
        "height": 1080,
        "alt_text": "A brass lamp on an oak desk",
        "file": f"media/{name}",
    }
    return MediaAsset.objects.create(workspace=workspace, original_name=name, **(values | fields))


def edit_data(post: Post, networks: list[str], **variants: dict) -> dict:
    data = {
        "title": post.title,
        "body": post.body,
        "format": post.format,
        "tags_text": "",
        "networks": networks,
    }
    for network in networks:
        data |= variants.get(network, variant_data(network))
    return data


def test_it_saves_each_variant_with_its_own_fields(client, workspace, alice) -> None:
    post = make_post(workspace, networks=("x", "youtube"))
    video = make_media(workspace, "clip.mp4", kind=MediaKind.VIDEO, mime_type="video/mp4")
    client.force_login(alice)
    data = edit_data(
        post,
        ["x", "youtube"],
        x=variant_data(
            "x",
            text="Short and sweet",
            link="https://lumen.example/spring",
            hashtags="#lamps, design",
            mentions="@claire, @studio",
            first_comment="More in the thread",
        ),
        youtube=variant_data("youtube", text="Long description", title="Spring collection")
        | {"v-youtube-media": [video.pk]},
    )
    response = client.post(reverse("post-edit", args=[workspace.slug, post.pk]), data)
    assert response.status_code == 302
    x = post.variants.get(network="x")
    assert (x.text, x.link, x.first_comment) == (
        "Short and sweet",
        "https://lumen.example/spring",
        "More in the thread",
    )
    assert x.hashtags == ["lamps", "design"]
    assert x.mentions == ["@claire", "@studio"]
    youtube = post.variants.get(network="youtube")
    assert youtube.options == {"title": "Spring collection"}
    assert list(youtube.media.all()) == [video]
    assert AuditEvent.objects.filter(verb="update", object_type="variant").count() == 2


def test_it_adds_and_removes_networks(client, workspace, alice) -> None:
    post = make_post(workspace, networks=("x", "bluesky"))
    client.force_login(alice)
    data = edit_data(post, ["x"]) | {"networks": ["x", "linkedin"]}
    client.post(reverse("post-edit", args=[workspace.slug, post.pk]), data)
    assert sorted(post.variants.values_list("network", flat=True)) == ["linkedin", "x"]
    assert post.variants.get(network="linkedin").text == post.body
    assert AuditEvent.objects.filter(verb="delete", object_type="variant").count() == 1


def test_it_saves_a_variant_over_the_limit_as_a_draft_and_shows_the_problem(
    client, workspace, alice
) -> None:
    post = make_post(workspace, networks=("bluesky",))
    client.force_login(alice)
    data = edit_data(post, ["bluesky"], bluesky=variant_data("bluesky", text="é" * 310))
    assert (
        client.post(reverse("post-edit", args=[workspace.slug, post.pk]), data).status_code == 302
    )
    assert post.variants.get().text == "é" * 310
    page = client.get(reverse("post-detail", args=[workspace.slug, post.pk]))
    assert page.context["problem_count"] == 1
    assert "310" in page.content.decode() and "10 too many" in page.content.decode()


def test_it_keeps_per_network_alt_text_and_drops_unticked_media(client, workspace, alice) -> None:
    post = make_post(workspace, networks=("x",))
    one, two = make_media(workspace, "one.jpg"), make_media(workspace, "two.jpg")
    variant = post.variants.get()
    VariantMedia.objects.create(variant=variant, media=one, position=0)
    VariantMedia.objects.create(variant=variant, media=two, position=1)
    client.force_login(alice)
    data = edit_data(post, ["x"]) | {"v-x-media": [two.pk], "v-x-alt-2000": "ignored"}
    data[f"v-x-alt-{two.pk}"] = "The same lamp, lit, for X"
    client.post(reverse("post-edit", args=[workspace.slug, post.pk]), data)
    rows = list(VariantMedia.objects.filter(variant=variant))
    assert [(r.media, r.position, r.alt_text) for r in rows] == [
        (two, 0, "The same lamp, lit, for X")
    ]


def test_it_refuses_another_workspaces_media(client, workspace, alice, charlie) -> None:
    foreign = make_media(Workspace.objects.get(slug="other"), "theirs.jpg")
    post = make_post(workspace, networks=("x",))
    client.force_login(alice)
    data = edit_data(post, ["x"]) | {"v-x-media": [foreign.pk]}
    response = client.post(reverse("post-edit", args=[workspace.slug, post.pk]), data)
    assert response.status_code == 200
    assert not VariantMedia.objects.exists()


def test_it_records_no_change_when_nothing_changed(client, workspace, alice) -> None:
    post = make_post(workspace, networks=("x",))
    client.force_login(alice)
    data = edit_data(post, ["x"], x=variant_data("x", text=post.body))
    client.post(reverse("post-edit", args=[workspace.slug, post.pk]), data)
    assert not AuditEvent.objects.filter(verb="update").exists()


def test_it_sends_an_approved_post_back_to_draft_when_edited(client, workspace, alice) -> None:
    post = make_post(workspace, networks=("x",), state=PostState.APPROVED)
    client.force_login(alice)
    data = edit_data(post, ["x"], x=variant_data("x", text="Changed after approval"))
    client.post(reverse("post-edit", args=[workspace.slug, post.pk]), data)
    post.refresh_from_db()
    assert post.state == PostState.DRAFT


def test_it_shows_each_variant_with_count_and_preview(client, workspace, alice) -> None:
    post = make_post(workspace, networks=("x", "pinterest"), format=PostFormat.SHARE)
    Variant.objects.filter(network="pinterest").update(options={"title": "Pin title"})
    client.force_login(alice)
    response = client.get(reverse("post-edit", args=[workspace.slug, post.pk]))
    html = response.content.decode()
    assert 'id="status-x"' in html and 'id="status-pinterest"' in html
    assert "of 280" in html and "of 500" in html
    assert "Pin title" in html
    assert 'name="v-pinterest-title"' in html and 'name="v-x-title"' not in html


# --- the live check (htmx)


def check(client, workspace, network: str, **fields):
    url = reverse("post-variant-check", args=[workspace.slug, network])
    return client.post(url, variant_data(network, **fields), HTTP_HX_REQUEST="true")


def test_it_counts_live_with_the_networks_rule(client, workspace, alice) -> None:
    client.force_login(alice)
    long_link = "https://lumen.example/" + "a" * 100
    response = check(client, workspace, "x", text=f"New lamps {long_link}")
    status = response.context["status"]
    assert (status.count, status.limit, status.problems) == (10 + 23, 280, [])
    assert 'hx-swap-oob="innerHTML"' in response.content.decode()


def test_it_says_live_which_rule_is_broken_and_by_how_much(client, workspace, alice) -> None:
    client.force_login(alice)
    response = check(client, workspace, "mastodon", text="a" * 512)
    html = response.content.decode()
    assert "512" in html and "12 too many" in html
    fixed = check(client, workspace, "mastodon", text="a" * 500)
    assert fixed.context["status"].problems == []


def test_it_applies_the_caption_limit_live_when_media_is_ticked(client, workspace, alice) -> None:
    media = make_media(workspace)
    client.force_login(alice)
    url = reverse("post-variant-check", args=[workspace.slug, "telegram"])
    data = variant_data("telegram", text="a" * 2000) | {"v-telegram-media": [media.pk]}
    status = client.post(url, data).context["status"]
    assert (status.limit, status.count) == (1024, 2000)
    assert [p.code for p in status.problems] == ["caption_too_long"]


def test_it_checks_live_only_for_writers_and_known_networks(client, workspace, bob) -> None:
    set_roles(bob, workspace, Role.APPROVER)
    client.force_login(bob)
    assert check(client, workspace, "x", text="hi").status_code == 403
    set_roles(bob, workspace, Role.EDITOR)
    assert check(client, workspace, "x", text="hi").status_code == 200
    assert check(client, workspace, "myspace", text="hi").status_code == 404
    url = reverse("post-variant-check", args=[workspace.slug, "x"])
    assert client.get(url).status_code == 405


def test_it_previews_links_media_and_per_network_alt_text(client, workspace, alice) -> None:
    post = make_post(workspace, networks=("mastodon", "instagram"))
    media = make_media(workspace, "lamp.jpg")
    for variant in post.variants.all():
        variant.text = "New lamps https://lumen.example/spring"
        variant.save()
        VariantMedia.objects.create(
            variant=variant, media=media, alt_text=f"Lamp on {variant.network}"
        )
    client.force_login(alice)
    html = client.get(reverse("post-detail", args=[workspace.slug, post.pk])).content.decode()
    image_url = reverse("media-file", args=[workspace.slug, media.pk])
    assert f'<img src="{image_url}" alt="Lamp on mastodon">' in html
    assert f'<img src="{image_url}" alt="Lamp on instagram">' in html
    # Mastodon makes the link clickable; Instagram shows it as plain text.
    assert html.count('<a href="https://lumen.example/spring"') == 1


def test_it_shows_a_post_to_a_guest_without_the_edit_button(client, workspace, bob) -> None:
    set_roles(bob, workspace, Role.GUEST)
    post = make_post(workspace, networks=("x",))
    client.force_login(bob)
    response = client.get(reverse("post-detail", args=[workspace.slug, post.pk]))
    assert response.status_code == 200
    assert reverse("post-edit", args=[workspace.slug, post.pk]) not in response.content.decode()


def test_it_opens_the_composer_in_constant_queries(
    client, workspace, alice, django_assert_max_num_queries
) -> None:
    client.force_login(alice)
    post = make_post(workspace, networks=("x",))
    url = reverse("post-edit", args=[workspace.slug, post.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    media = [make_media(workspace, f"m{i}.jpg") for i in range(6)]
    for network in ("bluesky", "linkedin", "mastodon"):
        variant = Variant.objects.create(post=post, network=network, text="Hi")
        for i, m in enumerate(media[:3]):
            VariantMedia.objects.create(variant=variant, media=m, position=i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
