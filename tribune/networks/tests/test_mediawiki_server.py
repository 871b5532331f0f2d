"""The MediaWiki connector against a real MediaWiki 1.39 (Debian's package) started by the suite.

Each pytest-xdist worker installs its own wiki (SQLite, a fresh temporary folder)
and serves it with `php -S`: see tribune/testing/servers/mediawiki.py. What the
tests check is read back through the wiki's own API, not through the connector.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tribune.networks.base import AccountCredentials, PostDraft
from tribune.networks.errors import AuthExpired, Rejected
from tribune.networks.mediawiki.connector import MediaWikiConnector
from tribune.testing.fixtures import require
from tribune.testing.servers import mediawiki

pytestmark = [pytest.mark.real_server, pytest.mark.slow]


@pytest.fixture(scope="session")
def mediawiki_server() -> Iterator[mediawiki.WikiServer]:
    require(mediawiki.missing_reason())
    server = mediawiki.start_wiki(os.environ.get("PYTEST_XDIST_WORKER", "main"))
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as client:
        yield client


def connect(server: mediawiki.WikiServer, http: httpx.Client, **changes) -> MediaWikiConnector:
    wiki = server.wiki
    fields = {"base_url": wiki.api_url, "username": wiki.bot_name, "token": wiki.bot_password}
    return MediaWikiConnector(AccountCredentials(**{**fields, **changes}), http)


def revisions(server: mediawiki.WikiServer, title: str) -> list[dict]:
    """The page's revisions, newest first, read straight from the wiki's API."""
    body = httpx.get(
        server.wiki.api_url,
        params={
            "action": "query",
            "prop": "revisions",
            "titles": title,
            "rvlimit": "max",
            "rvprop": "ids|comment|content|user",
            "rvslots": "main",
            "format": "json",
            "formatversion": "2",
        },
    ).json()
    return body["query"]["pages"][0].get("revisions", [])


def content(revision: dict) -> str:
    return revision["slots"]["main"]["content"]


def unique(title: str) -> str:
    return f"{title} {uuid.uuid4().hex[:8]}"


def test_it_verifies_the_bot_password(mediawiki_server, http):
    identity = connect(mediawiki_server, http).verify()
    assert (identity.handle, identity.remote_id) == ("Admin", "1")
    assert identity.url == f"{mediawiki_server.wiki.site_url}/index.php/User:Admin"


def test_it_finds_the_api_from_the_sites_home_page(mediawiki_server, http):
    connector = connect(mediawiki_server, http, base_url=mediawiki_server.wiki.site_url + "/")
    assert connector.verify().handle == "Admin"
    assert connector.wiki.api_url() == mediawiki_server.wiki.api_url


def test_it_refuses_a_wrong_bot_password(mediawiki_server, http):
    with pytest.raises(AuthExpired) as caught:
        connect(mediawiki_server, http, token="x" * 32).verify()
    assert "Incorrect username or password" in caught.value.message
    assert "x" * 32 not in caught.value.message


def test_it_publishes_a_page_with_its_summary_and_marker(mediawiki_server, http):
    title = unique("Roast notes")
    text = "Our '''Guji''' roast: peach, jasmine.\n\n== Brewing ==\n15 g for 250 ml."
    post = PostDraft(text=text, title=title, options={"summary": "New roast notes"})
    result = connect(mediawiki_server, http).publish(post, "variant-7-key")
    [revision] = revisions(mediawiki_server, title)
    assert content(revision) == text
    assert revision["comment"].startswith("New roast notes [tribune:")
    assert revision["user"] == "Admin"
    assert result.ref.remote_id.endswith(f":{revision['revid']}")
    assert f"oldid={revision['revid']}" in result.ref.url
    assert httpx.get(result.ref.url).status_code == 200


def test_it_makes_no_second_revision_for_the_same_text(mediawiki_server, http):
    title = unique("Opening hours")
    post = PostDraft(text="Open every day from 8 to 18.", title=title)
    first = connect(mediawiki_server, http).publish(post, "hours-key")
    again = connect(mediawiki_server, http).publish(post, "hours-key")
    assert len(revisions(mediawiki_server, title)) == 1
    assert again.ref == first.ref


def test_it_finds_the_published_revision_by_its_key(mediawiki_server, http):
    since = datetime.now(UTC) - timedelta(minutes=1)
    post = PostDraft(text="Sold out until Monday.", title=unique("Stock"))
    published = connect(mediawiki_server, http).publish(post, "stock-key")
    connector = connect(mediawiki_server, http)
    assert connector.find_published("stock-key", since) == published.ref
    assert connector.find_published("another-key", since) is None
    assert connector.find_published("stock-key", datetime.now(UTC) + timedelta(hours=1)) is None


def test_it_reads_a_comment_and_replies_under_it_signed(mediawiki_server, http):
    title = unique("Guji")
    connect(mediawiki_server, http).publish(PostDraft(text="Our Guji.", title=title), "guji")
    mediawiki_server.edit_as(
        mediawiki.READER, f"Talk:{title}", "== Stock ==\nIs the Guji still in stock? ~~~~"
    )
    connector = connect(mediawiki_server, http)
    [item] = [i for i in connector.fetch_inbox() if i.ref.extra["page"] == f"Talk:{title}"]
    assert (item.author, item.text) == ("Visitor", "Is the Guji still in stock?")
    assert abs(item.created_at - datetime.now(UTC)) < timedelta(minutes=2)
    assert item.in_reply_to is None

    reply = connector.reply(item.ref, "Yes, until Friday.")
    talk = content(revisions(mediawiki_server, f"Talk:{title}")[0])
    question, answer = talk.split("\n")[1:3]
    assert question.startswith("Is the Guji still in stock? [[User:Visitor|Visitor]]")
    assert answer.startswith(":Yes, until Friday. [[User:Admin|Admin]]")
    assert answer.endswith("(UTC)")
    assert reply.extra["page"] == f"Talk:{title}"

    # Sent again (a retry), the same reply is found, not posted twice.
    connect(mediawiki_server, http).reply(item.ref, "Yes, until Friday.")
    assert len(revisions(mediawiki_server, f"Talk:{title}")) == 2
    # The account's own reply is not in its inbox; a comment older than `since` is not either.
    inbox = connect(mediawiki_server, http).fetch_inbox()
    assert [i.author for i in inbox if i.ref.extra["page"] == f"Talk:{title}"] == ["Visitor"]
    later = connect(mediawiki_server, http).fetch_inbox(datetime.now(UTC) + timedelta(hours=1))
    assert later == []


def test_it_opens_a_thread_when_replying_to_a_page(mediawiki_server, http):
    title = unique("Cupping")
    published = connect(mediawiki_server, http).publish(
        PostDraft(text="Cupping on Saturday.", title=title), "cupping"
    )
    connect(mediawiki_server, http).reply(published.ref, "Sign up on this page.")
    talk = content(revisions(mediawiki_server, f"Talk:{title}")[0])
    assert talk.startswith("== Sign up on this page. ==\n\nSign up on this page. [[User:Admin|")


def test_it_reports_a_protected_page_as_rejected(mediawiki_server, http):
    title = mediawiki_server.wiki.protected_page
    before = revisions(mediawiki_server, title)
    with pytest.raises(Rejected) as caught:
        connect(mediawiki_server, http).publish(PostDraft(text="Vandalism.", title=title), "p")
    assert "protected" in caught.value.message
    assert revisions(mediawiki_server, title) == before


def test_it_deletes_a_published_page(mediawiki_server, http):
    title = unique("Old offer")
    connector = connect(mediawiki_server, http)
    published = connector.publish(PostDraft(text="-10% today.", title=title), "offer")
    connector.delete(published.ref)
    assert revisions(mediawiki_server, title) == []
    connector.delete(published.ref)  # already gone: nothing to do, no error
