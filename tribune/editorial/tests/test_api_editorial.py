"""The editorial API: posts, variants, media, slots, comments and transitions."""

from datetime import UTC, datetime, time, timedelta

import pytest

from tribune.editorial.models import MediaAsset, Post, QueueSlot, Transition, Variant
from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles
from tribune.workspaces.roles import Role

BASE = "/api/v1/workspaces/lumen"
api_as = api_client.api_as  # the fixture, under its own name


@pytest.fixture
def post(workspace, alice):
    post = Post.objects.create(
        workspace=workspace,
        title="Launch",
        body="Spring is here",
        author=alice,
        scheduled_at=datetime(2026, 3, 31, 7, 30, tzinfo=UTC),
    )
    Variant.objects.create(post=post, network="linkedin", text=post.body)
    return post


def test_it_creates_and_reads_a_post_with_a_variant_per_network(api_as, alice):
    response = api_as(alice).post(
        f"{BASE}/posts",
        {"title": "Idea", "body": "Hello", "networks": ["linkedin", "bluesky"], "tags_text": "a b"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [v["network"] for v in body["variants"]] == ["bluesky", "linkedin"]
    assert body["state"] == "draft" and body["tags"] == ["a", "b"]
    again = api_as(alice).get(f"{BASE}/posts/{body['id']}").json()
    assert again["variants"][0]["text"] == "Hello"


def test_it_checks_roles_and_hides_other_workspaces(api_as, alice, bob, charlie, post):
    set_roles(bob, post.workspace, Role.ANALYST)
    assert_problem(api_as(bob).post(f"{BASE}/posts", {"title": "x", "networks": ["x"]}), 403)
    assert api_as(bob).get(f"{BASE}/posts/{post.pk}").status_code == 200
    assert_problem(api_as(charlie).get(f"{BASE}/posts/{post.pk}"), 404)
    assert_problem(api_as(charlie).get(f"{BASE}/posts"), 404)
    assert_problem(api_as(None).get(f"{BASE}/posts"), 401)


def test_it_refuses_an_unknown_network_with_a_problem(api_as, alice):
    response = api_as(alice).post(f"{BASE}/posts", {"title": "x", "networks": ["myspace"]})
    body = assert_problem(response, 422)
    assert body["errors"][0]["loc"] == ["body", "networks"]


def test_it_lists_posts_in_a_range_without_a_query_per_post(
    api_as, alice, workspace, django_assert_max_num_queries
):
    for day in range(1, 21):
        p = Post.objects.create(
            workspace=workspace, title=f"P{day}", scheduled_at=datetime(2026, 4, day, tzinfo=UTC)
        )
        Variant.objects.create(post=p, network="x", text="t")
    client = api_as(alice)
    with django_assert_max_num_queries(10):
        response = client.get(
            f"{BASE}/posts", {"start": "2026-04-05T00:00:00Z", "end": "2026-04-10T00:00:00Z"}
        )
    body = response.json()
    assert body["count"] == 5 and [p["title"] for p in body["items"]][0] == "P5"


def test_it_updates_a_post_and_writes_one_networks_version(api_as, alice, post):
    client = api_as(alice)
    response = client.patch(f"{BASE}/posts/{post.pk}", {"title": "Renamed"})
    assert response.status_code == 200 and response.json()["title"] == "Renamed"
    response = client.put(
        f"{BASE}/posts/{post.pk}/variants/bluesky",
        {"text": "Short for Bluesky", "link": "https://example.org", "hashtags": "#spring"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["hashtags"] == ["spring"]
    assert dict(post.variants.values_list("network", "text")) == {
        "bluesky": "Short for Bluesky",
        "linkedin": "Spring is here",
    }


def test_it_moves_a_post_through_the_workflow_and_lists_the_history(api_as, alice, bob, post):
    response = api_as(alice).post(f"{BASE}/posts/{post.pk}/transitions", {"to_state": "in_review"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_review"
    history = api_as(bob).get(f"{BASE}/posts/{post.pk}/transitions").json()
    assert [(t["from_state"], t["to_state"]) for t in history["items"]] == [("draft", "in_review")]
    # An Editor cannot approve: the permission layer answers with a problem.
    assert_problem(
        api_as(bob).post(f"{BASE}/posts/{post.pk}/transitions", {"to_state": "approved"}), 403
    )
    # A move the state machine does not allow is a conflict with the post's state.
    assert_problem(
        api_as(alice).post(f"{BASE}/posts/{post.pk}/transitions", {"to_state": "scheduled"}),
        409,
    )
    assert Transition.objects.count() == 1


def test_it_refuses_to_schedule_a_draft_or_a_naive_time(api_as, alice, post):
    client = api_as(alice)
    when = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert_problem(client.post(f"{BASE}/posts/{post.pk}/schedule", {"when": when}), 409)
    assert_problem(
        client.post(f"{BASE}/posts/{post.pk}/schedule", {"when": "2030-01-01T10:00:00"}), 422
    )


def test_it_adds_and_lists_comments(api_as, alice, bob, post):
    response = api_as(bob).post(f"{BASE}/posts/{post.pk}/comments", {"body": "Looks good @alice"})
    assert response.status_code == 201, response.content
    items = api_as(alice).get(f"{BASE}/posts/{post.pk}/comments").json()["items"]
    assert [c["body"] for c in items] == ["Looks good @alice"]


def test_it_lists_media_metadata(api_as, alice, workspace, charlie):
    media = MediaAsset.objects.create(
        workspace=workspace,
        file="media/a.png",
        original_name="a.png",
        kind="image",
        mime_type="image/png",
        size_bytes=10,
        alt_text="A lamp",
    )
    items = api_as(alice).get(f"{BASE}/media").json()["items"]
    assert [(m["id"], m["alt_text"]) for m in items] == [(media.pk, "A lamp")]
    assert_problem(api_as(charlie).get(f"{BASE}/media/{media.pk}"), 404)


def test_it_creates_lists_and_deletes_queue_slots(api_as, alice, bob):
    response = api_as(alice).post(
        f"{BASE}/slots", {"network": "linkedin", "weekdays": [1, 3], "time": "09:30"}
    )
    assert response.status_code == 201, response.content
    assert [s["weekday"] for s in response.json()] == [1, 3]
    assert QueueSlot.objects.filter(time=time(9, 30)).count() == 2
    # Slots are the Publisher's: an Editor may read them but not add one.
    assert api_as(bob).get(f"{BASE}/slots").json()["count"] == 2
    assert_problem(
        api_as(bob).post(f"{BASE}/slots", {"network": "x", "weekdays": [0], "time": "10:00"}), 403
    )
    assert_problem(
        api_as(alice).post(f"{BASE}/slots", {"network": "x", "weekdays": [9], "time": "10:00"}),
        422,
    )
    slot = QueueSlot.objects.first()
    assert api_as(alice).delete(f"{BASE}/slots/{slot.pk}").status_code == 204
    assert QueueSlot.objects.count() == 1


def test_it_uploads_edits_and_deletes_media_through_the_api(
    api_as, alice, bob, charlie, workspace, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tribune.editorial.tests.media_samples import image_bytes

    settings.MEDIA_ROOT = tmp_path
    client = api_as(alice)

    def upload(as_client, content, alt="A lamp on a desk", name="lamp.png"):
        file = SimpleUploadedFile(name, content, content_type="image/png")
        return as_client.client.post(
            f"{BASE}/media", {"file": file, "alt_text": alt}, headers=as_client._headers()
        )

    created = upload(client, image_bytes())
    assert created.status_code == 201, created.content
    media = created.json()
    assert (media["kind"], media["width"], media["alt_text"]) == ("image", 64, "A lamp on a desk")
    # A file that is not what it says, or no alt text: 422 with the field named.
    assert_problem(upload(client, b"not an image"), 422)
    assert_problem(upload(client, image_bytes(), alt=""), 422)
    # Roles and workspaces.
    set_roles(bob, workspace, Role.GUEST)
    assert_problem(upload(api_as(bob), image_bytes()), 403)
    assert_problem(api_as(charlie).delete(f"{BASE}/media/{media['id']}"), 404)
    changed = client.patch(f"{BASE}/media/{media['id']}", {"alt_text": "A brass lamp"})
    assert changed.json()["alt_text"] == "A brass lamp"
    assert client.delete(f"{BASE}/media/{media['id']}").status_code == 204
    assert MediaAsset.objects.count() == 0


def test_it_deletes_a_post_through_the_api_unless_scheduled(api_as, alice, charlie, post):
    assert_problem(api_as(charlie).delete(f"{BASE}/posts/{post.pk}"), 404)
    Post.objects.filter(pk=post.pk).update(state="scheduled")
    assert_problem(api_as(alice).delete(f"{BASE}/posts/{post.pk}"), 409)
    Post.objects.filter(pk=post.pk).update(state="draft")
    assert api_as(alice).delete(f"{BASE}/posts/{post.pk}").status_code == 204
    assert not Post.objects.filter(pk=post.pk).exists()
