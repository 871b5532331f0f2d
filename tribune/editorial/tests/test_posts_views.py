"""The composer's pages: post list, create, detail, edit, and the live variant check."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tribune.editorial.choices import PostFormat, PostState
from tribune.editorial.models import Post, Variant
from tribune.strategy.models import NetworkChoice, Persona
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Workspace
from tribune.workspaces.roles import Role

pytestmark = pytest.mark.django_db


def make_post(workspace: Workspace, networks=("x",), **fields) -> Post:
    values = {"title": "Spring launch", "body": "Our lamps are back."}
    post = Post.objects.create(workspace=workspace, **(values | fields))
    for network in networks:
        Variant.objects.create(post=post, network=network, text=post.body)
    return post


def post_data(**overrides) -> dict:
    data = {
        "title": "Spring launch",
        "body": "Our lamps are back.",
        "format": PostFormat.ORGANIC,
        "tags_text": "promo, #launch promo",
        "networks": ["x", "bluesky"],
    }
    return data | overrides


def variant_data(network: str, **fields) -> dict:
    values = {"text": "Hello", "link": "", "first_comment": "", "hashtags": "", "mentions": ""}
    return {f"v-{network}-{k}": v for k, v in (values | fields).items()}


# --- list


def test_it_lists_posts_to_every_member(client, workspace, alice, bob) -> None:
    make_post(workspace, title="Spring launch")
    for user in (alice, bob):
        set_roles(bob, workspace, Role.GUEST)
        client.force_login(user)
        response = client.get(reverse("post-list", args=[workspace.slug]))
        assert response.status_code == 200
        assert b"Spring launch" in response.content


def test_it_hides_the_post_list_from_outsiders(client, workspace, charlie) -> None:
    client.force_login(charlie)
    assert client.get(reverse("post-list", args=[workspace.slug])).status_code == 404


def test_it_filters_posts(client, workspace, alice) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Claire")
    make_post(workspace, title="On X", networks=("x",), persona=persona)
    make_post(workspace, title="On Bluesky", networks=("bluesky",), state=PostState.APPROVED)
    make_post(workspace, title="Sponsored", networks=("x",), format=PostFormat.SPONSORED)
    client.force_login(alice)
    url = reverse("post-list", args=[workspace.slug])

    def titles(**params) -> set[str]:
        page = client.get(url, params).context["page"]
        return {p.title for p in page.object_list}

    assert titles(network="bluesky") == {"On Bluesky"}
    assert titles(state="approved") == {"On Bluesky"}
    assert titles(format="sponsored") == {"Sponsored"}
    assert titles(persona=persona.pk) == {"On X"}
    assert titles(q="spons") == {"Sponsored"}
    assert titles(state="nonsense") == {"On X", "On Bluesky", "Sponsored"}


def test_it_lists_posts_in_constant_queries(
    client, workspace, alice, django_assert_max_num_queries
) -> None:
    client.force_login(alice)
    url = reverse("post-list", args=[workspace.slug])
    make_post(workspace, networks=("x", "bluesky"))
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(30):
        make_post(workspace, title=f"Post {i}", networks=("x", "bluesky", "linkedin"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 31


def test_it_pages_the_post_list(client, workspace, alice) -> None:
    Post.objects.bulk_create(Post(workspace=workspace, title=f"P{i}") for i in range(55))
    client.force_login(alice)
    response = client.get(reverse("post-list", args=[workspace.slug]), {"page": 2, "state": ""})
    assert len(response.context["page"].object_list) == 5
    assert b"Previous page" in response.content


# --- create


def test_it_creates_a_post_with_a_variant_per_network(client, workspace, alice) -> None:
    client.force_login(alice)
    response = client.post(reverse("post-create", args=[workspace.slug]), post_data())
    post = Post.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response.url == reverse("post-edit", args=[workspace.slug, post.pk])
    assert post.author == alice
    assert post.tags == ["promo", "launch"]
    assert sorted(post.variants.values_list("network", "text")) == [
        ("bluesky", "Our lamps are back."),
        ("x", "Our lamps are back."),
    ]
    verbs = AuditEvent.objects.filter(workspace=workspace).values_list("verb", "object_type")
    assert sorted(verbs) == [("create", "post"), ("create", "variant"), ("create", "variant")]


def test_it_refuses_a_post_without_network_or_with_a_closed_one(client, workspace, alice) -> None:
    client.force_login(alice)
    url = reverse("post-create", args=[workspace.slug])
    assert client.post(url, post_data(networks=[])).status_code == 200
    assert client.post(url, post_data(networks=["skype"])).status_code == 200
    assert not Post.objects.exists()


def test_it_offers_the_strategy_networks_first(client, workspace, alice) -> None:
    NetworkChoice.objects.create(workspace=workspace, network="linkedin", rationale="B2B")
    client.force_login(alice)
    form = client.get(reverse("post-create", args=[workspace.slug])).context["form"]
    groups = form.fields["networks"].choices
    assert [k for k, _ in groups[0][1]] == ["linkedin"]
    assert "x" in [k for k, _ in groups[1][1]]


def test_it_ignores_another_workspaces_persona(client, workspace, alice, charlie) -> None:
    other = Workspace.objects.get(slug="other")
    foreign = Persona.objects.create(workspace=other, name="Not yours")
    client.force_login(alice)
    response = client.post(
        reverse("post-create", args=[workspace.slug]), post_data(persona=foreign.pk)
    )
    assert response.status_code == 200
    assert "persona" in response.context["form"].errors


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.EDITOR, 200), (Role.STRATEGIST, 200), (Role.APPROVER, 403), (Role.GUEST, 403)],
)
def test_it_lets_writers_compose(client, workspace, bob, role, status) -> None:
    set_roles(bob, workspace, role)
    client.force_login(bob)
    assert client.get(reverse("post-create", args=[workspace.slug])).status_code == status
    post = make_post(workspace)
    assert client.get(reverse("post-edit", args=[workspace.slug, post.pk])).status_code == status


def test_it_hides_the_composer_from_outsiders(client, workspace, charlie) -> None:
    post = make_post(workspace)
    client.force_login(charlie)
    assert client.get(reverse("post-create", args=[workspace.slug])).status_code == 404
    assert client.get(reverse("post-edit", args=[workspace.slug, post.pk])).status_code == 404
    assert client.get(reverse("post-detail", args=[workspace.slug, post.pk])).status_code == 404
    check = reverse("post-variant-check", args=[workspace.slug, "x"])
    assert client.post(check, variant_data("x")).status_code == 404


def test_it_gives_404_for_another_workspaces_post(client, workspace, alice, charlie) -> None:
    other = Workspace.objects.get(slug="other")
    foreign = make_post(other)
    client.force_login(alice)
    assert client.get(reverse("post-detail", args=[workspace.slug, foreign.pk])).status_code == 404
    assert client.get(reverse("post-edit", args=[workspace.slug, foreign.pk])).status_code == 404


def test_it_links_a_post_without_a_time_to_planning_one(client, workspace, alice):
    from tribune.editorial.models import Post

    post = Post.objects.create(workspace=workspace, title="Sans date", author=alice)
    client.force_login(alice)
    page = client.get(reverse("post-detail", args=[workspace.slug, post.pk])).content.decode()
    move = reverse("calendar-move", args=[workspace.slug, post.pk])
    assert f'href="{move}"' in page
    assert client.get(move).status_code == 200


def test_it_deletes_a_post_but_not_a_scheduled_one(client, workspace, alice, bob, charlie):
    from tribune.editorial.models import Post
    from tribune.testing.fixtures import set_roles
    from tribune.workspaces.models import AuditEvent

    draft = Post.objects.create(workspace=workspace, title="Brouillon", author=alice)
    due = Post.objects.create(workspace=workspace, title="Programmé", state="scheduled")
    for user, status in ((charlie, 404),):
        client.force_login(user)
        assert (
            client.post(reverse("post-delete", args=[workspace.slug, draft.pk])).status_code
            == status
        )
    set_roles(bob, workspace, "analyst")
    client.force_login(bob)
    assert client.post(reverse("post-delete", args=[workspace.slug, draft.pk])).status_code == 403
    client.force_login(alice)
    client.post(reverse("post-delete", args=[workspace.slug, due.pk]))
    assert Post.objects.filter(pk=due.pk).exists()
    response = client.post(reverse("post-delete", args=[workspace.slug, draft.pk]))
    assert response.headers["Location"] == reverse("post-list", args=[workspace.slug])
    assert not Post.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.get(verb="delete", object_type="post").before["title"] == "Brouillon"
