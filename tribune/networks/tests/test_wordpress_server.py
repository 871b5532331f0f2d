"""WordPress connector against a real WordPress (Debian's package) started for the session,
one site per pytest-xdist worker (tribune/testing/servers/wordpress.py)."""

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from tribune.networks.base import (
    AccountCredentials,
    MediaItem,
    Moderation,
    PostDraft,
    RemoteRef,
)
from tribune.networks.errors import AuthExpired, Rejected
from tribune.networks.wordpress.connector import WordPressConnector
from tribune.testing.fixtures import require
from tribune.testing.servers.wordpress import WordPressSite, missing_reason, start_wordpress

pytestmark = [pytest.mark.real_server, pytest.mark.slow]


@pytest.fixture(scope="session")
def wordpress_server() -> Iterator[WordPressSite]:
    require(missing_reason())
    server = start_wordpress(os.environ.get("PYTEST_XDIST_WORKER", "main"))
    try:
        yield server.site
    finally:
        server.stop()


def connector_for(site: WordPressSite, username: str = "", password: str = ""):
    credentials = AccountCredentials(
        base_url=site.base_url + "/",
        username=username or site.username,
        token=password or site.app_password,
    )
    return WordPressConnector(credentials, httpx.Client(timeout=30))


@pytest.fixture
def wordpress(wordpress_server) -> WordPressConnector:
    return connector_for(wordpress_server)


@pytest.fixture
def admin(wordpress_server) -> httpx.Client:
    """The site's REST API as its administrator: to arrange and to read back."""
    return httpx.Client(
        base_url=wordpress_server.base_url,
        auth=(wordpress_server.username, wordpress_server.app_password),
        timeout=30,
    )


def rest(admin: httpx.Client, method: str, route: str, **kwargs) -> dict | list:
    params = {"rest_route": route, **kwargs.pop("params", {})}
    response = admin.request(method, "/", params=params, **kwargs)
    assert response.status_code < 300, response.text
    return response.json()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (120, 70, 30)).save(out, "PNG")
    return out.getvalue()


def test_it_verifies_the_application_password(wordpress, wordpress_server):
    identity = wordpress.verify()
    assert (identity.handle, identity.url) == ("tribune", wordpress_server.base_url)
    assert identity.remote_id.isdigit()


def test_it_publishes_with_a_featured_image_and_categories_then_finds_it(wordpress, admin):
    since = datetime.now(UTC) - timedelta(minutes=1)
    draft = PostDraft(
        title="Nouvelle origine : Éthiopie Guji",
        text="Notes de pêche et de jasmin.\n\nEn boutique dès samedi.",
        link="https://brulerie.example/guji",
        media=(MediaItem(png(), "image/png", "Le sac de Guji", "guji.png"),),
        options={"categories": ["Origines", "Café & Thé"]},
    )
    result = wordpress.publish(draft, "variant-7-wordpress")

    post = rest(admin, "GET", f"/wp/v2/posts/{result.ref.remote_id}", params={"context": "edit"})
    assert post["link"] == result.ref.url
    assert post["title"]["raw"] == "Nouvelle origine : Éthiopie Guji"
    assert post["status"] == "publish"
    assert "<p>Notes de pêche et de jasmin.</p>" in post["content"]["rendered"]
    assert "<p></p>" not in post["content"]["rendered"]  # the marker adds no empty paragraph
    include = ",".join(map(str, post["categories"]))
    names = {
        c["name"] for c in rest(admin, "GET", "/wp/v2/categories", params={"include": include})
    }
    assert names == {"Origines", "Café &amp; Thé"}
    media = rest(admin, "GET", f"/wp/v2/media/{post['featured_media']}")
    assert media["alt_text"] == "Le sac de Guji"
    served = admin.get(media["source_url"])
    assert (served.status_code, served.content) == (200, draft.media[0].content)

    assert wordpress.find_published("variant-7-wordpress", since) == result.ref
    assert wordpress.find_published("variant-8-wordpress", since) is None
    # A second publish names the categories it made the first time, without making them again.
    again = wordpress.publish(PostDraft(text="Deux", options={"categories": "origines"}), "k2")
    [category] = rest(admin, "GET", f"/wp/v2/posts/{again.ref.remote_id}")["categories"]
    assert category in post["categories"]


def test_it_reads_answers_and_moderates_comments(wordpress, admin):
    since = datetime.now(UTC) - timedelta(minutes=1)
    post = wordpress.publish(PostDraft(title="Dégustation", text="Samedi, 10 h."), "tasting")
    # A visitor's comment, held for moderation (set explicitly: WordPress's own rules vary).
    visitor = rest(admin, "POST", "/wp/v2/comments", json={
        "post": int(post.ref.remote_id), "content": "Faut-il réserver ?\n\nMerci !",
        "author_name": "Léa", "author_email": "lea@example.org", "status": "hold",
    })  # fmt: skip

    [item] = [i for i in wordpress.fetch_inbox(since) if i.ref.remote_id == str(visitor["id"])]
    assert (item.author, item.text, item.status) == ("Léa", "Faut-il réserver ?\n\nMerci !", "hold")
    assert item.in_reply_to == RemoteRef(post.ref.remote_id)
    assert item.created_at > since

    reply = wordpress.reply(item.ref, "Non, venez quand vous voulez.")
    child = rest(admin, "GET", f"/wp/v2/comments/{reply.remote_id}", params={"context": "edit"})
    assert (child["parent"], child["post"], child["status"]) == (
        visitor["id"], int(post.ref.remote_id), "approved",
    )  # fmt: skip
    # A retry after an unknown outcome: WordPress refuses the duplicate, the reply is the same.
    assert wordpress.reply(item.ref, "Non, venez quand vous voulez.") == reply
    # The account's own replies are not messages to answer.
    assert reply.remote_id not in {i.ref.remote_id for i in wordpress.fetch_inbox(since)}

    for action, status in [
        (Moderation.APPROVE, "approved"),
        (Moderation.HOLD, "hold"),
        (Moderation.HOLD, "hold"),  # twice: WordPress answers 500, the connector reads back
        (Moderation.SPAM, "spam"),
        (Moderation.TRASH, "trash"),
    ]:
        wordpress.moderate(item.ref, action)
        read = rest(admin, "GET", f"/wp/v2/comments/{visitor['id']}", params={"context": "edit"})
        assert read["status"] == status, action
    assert item.ref.remote_id not in {i.ref.remote_id for i in wordpress.fetch_inbox(since)}


def test_it_refuses_a_wrong_application_password_with_wordpress_message(wordpress_server):
    wrong = connector_for(wordpress_server, password="abcd efgh ijkl mnop qrst uvwx")
    with pytest.raises(AuthExpired) as caught:
        wrong.verify()
    assert caught.value.message == "You are not currently logged in."
    with pytest.raises(AuthExpired, match="not allowed to create posts"):
        wrong.publish(PostDraft(text="Jamais publié"), "never")


def test_it_passes_on_the_refusal_of_an_account_without_the_right(wordpress_server, wordpress):
    author = connector_for(
        wordpress_server, wordpress_server.author_username, wordpress_server.author_app_password
    )
    post = wordpress.publish(PostDraft(title="Billet de l'équipe", text="Bonjour."), "team-post")
    # An author may comment (WordPress decides the status) but may not moderate comments on
    # posts that are not theirs.
    comment = author.reply(post.ref, "Première !")
    with pytest.raises(Rejected) as caught:
        author.moderate(comment, Moderation.SPAM)
    assert caught.value.status == 403
    assert caught.value.message == "Sorry, you are not allowed to edit this comment."


def test_it_trashes_a_post_and_still_knows_it_was_published(wordpress, admin):
    since = datetime.now(UTC) - timedelta(minutes=1)
    result = wordpress.publish(PostDraft(text="Éphémère"), "to-trash")
    wordpress.delete(result.ref)
    wordpress.delete(result.ref)  # already in the trash: nothing more to do
    post = rest(admin, "GET", f"/wp/v2/posts/{result.ref.remote_id}", params={"context": "edit"})
    assert post["status"] == "trash"
    # Trashed, but published once: a retry must not publish it again.
    assert wordpress.find_published("to-trash", since).remote_id == result.ref.remote_id
