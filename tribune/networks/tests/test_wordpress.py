"""WordPress connector against recorded responses (an imitation of the server's HTTP side via
httpx.MockTransport). The bodies in fixtures/wordpress__*.json were recorded from Debian's
WordPress 6.1 and match the shapes in developer.wordpress.org/rest-api/reference/. The same
connector runs against a real WordPress in test_wordpress_server.py."""

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tribune.networks.base import (
    AccountCredentials,
    MediaItem,
    Moderation,
    PostDraft,
    RemoteRef,
)
from tribune.networks.contract import ConnectorContract, recorded
from tribune.networks.errors import AuthExpired, OutcomeUnknown, Rejected
from tribune.networks.registry import connector_class
from tribune.networks.wordpress.connector import WordPressConnector, _file_name
from tribune.networks.wordpress.content import plain_text, post_html, trace_marker

CREDENTIALS = AccountCredentials(
    base_url="https://blog.example/", username="tribune", token="abcd efgh ijkl mnop qrst uvwx"
)
# The recorded post carries the marker of this key.
RECORDED_KEY = "k"
ME = {"id": 1, "username": "tribune", "name": "Brûlerie", "capabilities": {
    "moderate_comments": True}}  # fmt: skip


class TestWordPressContract(ConnectorContract):
    connector_class = WordPressConnector
    credentials = CREDENTIALS
    draft = PostDraft(
        title="Nouvelle origine : Éthiopie Guji",
        text="Notes de pêche et de jasmin.",
        link="https://brulerie.example/guji",
    )
    published_body = recorded("wordpress__post")


class Site:
    """Answers by (method, rest_route); records every request."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        answer = self.answers[(request.method, request.url.params["rest_route"])]
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer, headers={"X-WP-TotalPages": "1"})

    def connector(self) -> WordPressConnector:
        return WordPressConnector(CREDENTIALS, httpx.Client(transport=httpx.MockTransport(self)))

    def to(self, method: str, route: str) -> list[httpx.Request]:
        return [r for r in self.sent if (r.method, r.url.params["rest_route"]) == (method, route)]


def body(request: httpx.Request) -> dict:
    return json.loads(request.content)


def test_it_sends_the_documented_request_and_parses_the_post():
    site = Site({("POST", "/wp/v2/posts"): httpx.Response(201, json=recorded("wordpress__post"))})
    result = site.connector().publish(TestWordPressContract.draft, RECORDED_KEY)
    [request] = site.sent
    assert (request.url.scheme, request.url.host, request.url.path) == (
        "https",
        "blog.example",
        "/",
    )
    secret = base64.b64encode(b"tribune:abcd efgh ijkl mnop qrst uvwx").decode()
    assert request.headers["Authorization"] == f"Basic {secret}"
    sent = body(request)
    assert sent["title"] == "Nouvelle origine : Éthiopie Guji"
    assert sent["status"] == "publish"
    assert sent["content"] == (
        "<p>Notes de pêche et de jasmin.</p>\n\n"
        '<p><a href="https://brulerie.example/guji">https://brulerie.example/guji</a>'
        f"<!-- {trace_marker(RECORDED_KEY)} --></p>"
    )
    assert "featured_media" not in sent and "categories" not in sent
    assert result.ref == RemoteRef("4", "https://blog.example/?p=4")
    assert result.published_at == datetime(2026, 11, 26, 12, 41, 35, tzinfo=UTC)
    assert result.status == 201


def test_it_uploads_the_first_image_as_featured_and_finds_or_creates_categories():
    media_ids = iter([9, 10])
    categories = [{"id": 1, "name": "Uncategorized"}, {"id": 5, "name": "Caf\u00e9 &amp; Th\u00e9"}]
    site = Site({
        ("POST", "/wp/v2/media"): lambda r: {
            "id": next(media_ids),
            "source_url": "https://blog.example/wp-content/uploads/2026/11/guji.png",
        },
        ("GET", "/wp/v2/categories"): categories,
        ("POST", "/wp/v2/categories"): httpx.Response(201, json={"id": 7, "name": "Origines"}),
        ("POST", "/wp/v2/posts"): httpx.Response(201, json=recorded("wordpress__post")),
    })  # fmt: skip
    draft = PostDraft(
        text="Guji\n\nNotes de pêche.",
        media=(
            MediaItem(b"\x89PNG first", "image/png", "Le sac de Guji", "Guji sac.png"),
            MediaItem(b"\x89PNG second", "image/png", "La tasse", "tasse"),
        ),
        options={"categories": ["café & thé", "Origines"], "status": "draft"},
    )
    site.connector().publish(draft, "key-1")
    first, second = site.to("POST", "/wp/v2/media")
    assert first.content == b"\x89PNG first"
    assert first.headers["Content-Type"] == "image/png"
    assert first.headers["Content-Disposition"] == 'attachment; filename="Guji-sac.png"'
    assert first.url.params["alt_text"] == "Le sac de Guji"
    assert second.headers["Content-Disposition"] == 'attachment; filename="tasse.png"'
    assert body(site.to("POST", "/wp/v2/categories")[0]) == {"name": "Origines"}
    post = body(site.to("POST", "/wp/v2/posts")[0])
    assert post["featured_media"] == 9
    assert post["categories"] == [5, 7]
    assert post["status"] == "draft"
    # Without a title, the first line is the title and leaves the body.
    assert post["title"] == "Guji"
    assert post["content"].startswith("<p>Notes de pêche.</p>")
    assert 'alt="La tasse"' in post["content"]  # the second image goes in the content


def test_it_finds_a_post_by_the_marker_its_key_left():
    site = Site({("GET", "/wp/v2/posts"): [recorded("wordpress__post")]})
    since = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    connector = site.connector()
    assert connector.find_published(RECORDED_KEY, since) == RemoteRef(
        "4", "https://blog.example/?p=4"
    )
    params = site.sent[0].url.params
    assert params["search"] == trace_marker(RECORDED_KEY)
    assert set(params["status"].split(",")) >= {"publish", "draft", "future", "trash"}
    # WordPress compares `after` with local times: the bound is widened by every time zone.
    assert params["after"] == "2026-11-25T21:00:00"
    # The search matches words anywhere: a post without this key's own marker is not it.
    assert connector.find_published("another-key", since) is None


def test_it_reads_comments_by_others_into_the_inbox():
    site = Site({
        ("GET", "/wp/v2/users/me"): ME,
        ("GET", "/wp/v2/comments"): recorded("wordpress__comments"),
    })  # fmt: skip
    reply, question = site.connector().fetch_inbox()
    params = site.to("GET", "/wp/v2/comments")[0].url.params
    assert (params["status"], params["context"], params["author_exclude"]) == ("all", "edit", "1")
    assert question.ref == RemoteRef("2", "https://blog.example/?p=4#comment-2", {"post": "4"})
    assert question.author == "Léa"
    assert question.text == "Quelle acidité ? Et c\u2019est torréfié quand ?\n\nMerci !"
    assert question.created_at == datetime(2026, 11, 26, 12, 41, 35, tzinfo=UTC)
    assert question.in_reply_to == RemoteRef("4")
    assert question.status == "hold"
    assert reply.in_reply_to == RemoteRef("2", extra={"post": "4"})
    assert reply.status == "approved"


def test_it_keeps_only_comments_newer_than_since():
    site = Site({
        ("GET", "/wp/v2/users/me"): ME,
        ("GET", "/wp/v2/comments"): recorded("wordpress__comments"),
    })  # fmt: skip
    newest = max(item.created_at for item in site.connector().fetch_inbox())
    assert site.connector().fetch_inbox(newest) == []
    assert len(site.connector().fetch_inbox(newest - timedelta(days=1))) == 2


def test_it_follows_the_pages_of_a_long_inbox():
    comment = recorded("wordpress__comments")[0]

    def page(request):
        number = int(request.url.params["page"])
        items = [{**comment, "id": number * 1000 + i} for i in range(100 if number < 3 else 5)]
        return httpx.Response(200, json=items, headers={"X-WP-TotalPages": "3"})

    site = Site({("GET", "/wp/v2/users/me"): ME, ("GET", "/wp/v2/comments"): page})
    assert len(site.connector().fetch_inbox()) == 205


def test_it_replies_to_a_comment_approved_and_to_a_post_at_the_top():
    created = recorded("wordpress__comments")[0]
    site = Site({
        ("GET", "/wp/v2/users/me"): ME,
        ("POST", "/wp/v2/comments"): httpx.Response(201, json=created),
    })  # fmt: skip
    connector = site.connector()
    ref = connector.reply(RemoteRef("2", extra={"post": "4"}), "Mardi matin.")
    connector.reply(RemoteRef("4"), "Merci à tous !")
    to_comment, to_post = (body(r) for r in site.to("POST", "/wp/v2/comments"))
    assert to_comment == {"post": 4, "parent": 2, "content": "Mardi matin.", "status": "approved"}
    assert (to_post["post"], to_post["parent"]) == (4, 0)
    assert ref == RemoteRef("3", "https://blog.example/?p=4#comment-3", {"post": "4"})


def test_it_lets_wordpress_decide_the_status_of_a_reply_by_an_author():
    author = {**ME, "capabilities": {"moderate_comments": False}}
    site = Site({
        ("GET", "/wp/v2/users/me"): author,
        ("POST", "/wp/v2/comments"): httpx.Response(201, json=recorded("wordpress__comments")[0]),
    })  # fmt: skip
    site.connector().reply(RemoteRef("4"), "Merci !")
    # An author may not set a comment's status: WordPress would answer 403.
    assert "status" not in body(site.to("POST", "/wp/v2/comments")[0])


def test_it_returns_the_earlier_reply_when_wordpress_says_it_is_a_duplicate():
    duplicate = {
        "code": "comment_duplicate",
        "message": "Duplicate comment detected; it looks as though you&#8217;ve already said that!",
        "data": {"status": 409},
    }
    earlier = {**recorded("wordpress__comments")[0], "author": 1}
    site = Site({
        ("GET", "/wp/v2/users/me"): ME,
        ("POST", "/wp/v2/comments"): httpx.Response(409, json=duplicate),
        ("GET", "/wp/v2/comments"): [earlier],
    })  # fmt: skip
    ref = site.connector().reply(RemoteRef("2", extra={"post": "4"}), "Mardi matin.")
    assert ref.remote_id == "3"
    lookup = site.to("GET", "/wp/v2/comments")[0].url.params
    assert (lookup["post"], lookup["parent"], lookup["author"]) == ("4", "2", "1")
    with pytest.raises(Rejected) as refused:
        site.connector().reply(RemoteRef("2", extra={"post": "4"}), "Autre chose.")
    assert refused.value.message.endswith("you\u2019ve already said that!")


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (Moderation.APPROVE, "approved"),
        (Moderation.HOLD, "hold"),
        (Moderation.HIDE, "hold"),
        (Moderation.SPAM, "spam"),
        (Moderation.TRASH, "trash"),
    ],
)
def test_it_moderates_a_comment_by_setting_its_status(action, status):
    site = Site({("POST", "/wp/v2/comments/2"): recorded("wordpress__comments")[1]})
    site.connector().moderate(RemoteRef("2", extra={"post": "4"}), action)
    assert body(site.sent[0]) == {"status": status}


def test_it_settles_a_repeated_moderation_by_reading_the_status_back():
    failed = {"code": "rest_comment_failed_edit", "message": "Updating comment status failed."}
    held = recorded("wordpress__comments")[1]
    site = Site({
        ("POST", "/wp/v2/comments/2"): httpx.Response(500, json=failed),
        ("GET", "/wp/v2/comments/2"): held,
    })  # fmt: skip
    site.connector().moderate(RemoteRef("2"), Moderation.HOLD)  # already held: done
    with pytest.raises(OutcomeUnknown):
        site.connector().moderate(RemoteRef("2"), Moderation.SPAM)


def test_it_trashes_a_post_and_accepts_one_already_in_the_trash():
    gone = {"code": "rest_already_trashed", "message": "The post has already been deleted."}
    site = Site({("DELETE", "/wp/v2/posts/4"): httpx.Response(410, json=gone)})
    site.connector().delete(RemoteRef("4"))
    assert [(r.method, r.url.params.get("force")) for r in site.sent] == [("DELETE", None)]


def test_it_verifies_the_account_and_maps_wordpress_refusals():
    site = Site({("GET", "/wp/v2/users/me"): ME})
    identity = site.connector().verify()
    assert (identity.remote_id, identity.handle, identity.display_name, identity.url) == (
        "1", "tribune", "Brûlerie", "https://blog.example",
    )  # fmt: skip
    assert site.sent[0].url.params["context"] == "edit"
    logged_out = {"code": "rest_not_logged_in", "message": "You are not currently logged in.",
                  "data": {"status": 401}}  # fmt: skip
    site = Site({("GET", "/wp/v2/users/me"): httpx.Response(401, json=logged_out)})
    with pytest.raises(AuthExpired, match="not currently logged in"):
        site.connector().verify()
    forbidden = {"code": "rest_cannot_edit",
                 "message": "Sorry, you are not allowed to edit this comment."}  # fmt: skip
    site = Site({("POST", "/wp/v2/comments/2"): httpx.Response(403, json=forbidden)})
    with pytest.raises(Rejected, match="not allowed to edit this comment") as refused:
        site.connector().moderate(RemoteRef("2"), Moderation.SPAM)
    assert refused.value.status == 403


def test_it_builds_post_html_a_reader_can_trust():
    content = post_html("Un <b>gras</b>\nsuite https://x.example/?a=1&b=2.", "", "tribune:abc")
    assert content == (
        "<p>Un &lt;b&gt;gras&lt;/b&gt;<br />\n"
        'suite <a href="https://x.example/?a=1&amp;b=2">https://x.example/?a=1&amp;b=2</a>.'
        "<!-- tribune:abc --></p>"
    )
    assert plain_text("<p>Un<br />\ndeux &amp; trois</p>\n<p>quatre</p>\n") == (
        "Un\ndeux & trois\n\nquatre"
    )


def test_it_names_uploaded_files_safely():
    assert _file_name(MediaItem(b"", "image/jpeg", "", "Photo café.JPEG")) == "Photo-caf-.JPEG"
    assert _file_name(MediaItem(b"", "image/png", "")) == "tribune-media.png"
    assert _file_name(MediaItem(b"", "video/mp4", "", "clip")) == "clip.mp4"


def test_it_declares_what_the_connect_form_asks():
    targets = [(f.target, f.secret) for f in WordPressConnector.credential_fields]
    assert targets == [("base_url", False), ("username", False), ("token", True)]
    assert connector_class("wordpress") is WordPressConnector
