"""MediaWiki connector against an imitation of the action API (httpx.MockTransport).

The imitation answers with responses recorded from MediaWiki 1.39.17 (Debian's
package, run here), the host renamed to https://wiki.example with Wikipedia-like
paths (/w/api.php, /wiki/$1). Two errors this machine's wiki cannot produce on
demand, `maxlag` and `ratelimited`, are shaped after MediaWiki's own source
(ApiMain::checkMaxLag, includes/api/i18n/en.json). The real wiki is exercised
in test_mediawiki_server.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from tribune.networks.base import AccountCredentials, MediaItem, PostDraft, RemoteRef
from tribune.networks.contract import ConnectorContract, recorded
from tribune.networks.errors import (
    AuthExpired,
    ConnectorError,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Rejected,
)
from tribune.networks.mediawiki.connector import MediaWikiConnector, key_marker
from tribune.networks.registry import connector_class

API = "https://wiki.example/w/api.php"
CREDENTIALS = AccountCredentials(
    base_url=API, username="Admin@tribune", token="0123456789abcdef0123456789abcdef"
)
DRAFT = PostDraft(text="Our Guji roast: peach, jasmine.", title="Roast notes")
SESSION_COOKIE = "brulerie_wiki_session=s3ss10n; path=/; HttpOnly"

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def params_of(request: httpx.Request) -> dict[str, str]:
    """The request's parameters, from its query string or its form body."""
    found = dict(request.url.params)
    if request.method == "POST":
        found.update({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
    return found


def step_of(request: httpx.Request) -> str:
    """Name what a request asks the wiki for, as the imitation's answers are keyed."""
    params = params_of(request)
    if not request.url.path.endswith("api.php"):
        return "page"
    if params.get("action") in {"login", "edit", "delete"}:
        return params["action"]
    meta, prop = params.get("meta", ""), params.get("prop", "")
    if "tokens" in meta:
        return "login_token" if params.get("type") == "login" else "csrf_token"
    if "userinfo" in meta:
        return "userinfo"
    if params.get("list") == "usercontribs":
        return "usercontribs"
    if prop == "revisions":
        return "revisions" if "content" in params.get("rvprop", "") else "revision"
    return "unknown"


def json_answer(name: str, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(200, json=recorded(f"mediawiki__{name}"), headers=headers or {})


def talk_page(request: httpx.Request) -> httpx.Response:
    """Answer a query for talk pages with only the pages asked for, as the wiki does."""
    body = copy.deepcopy(recorded("mediawiki__talk_pages"))
    wanted = params_of(request)["titles"].split("|")
    known = {page["title"]: page for page in body["query"]["pages"]}
    body["query"]["pages"] = [known.get(t, {"ns": 1, "title": t, "missing": True}) for t in wanted]
    return httpx.Response(200, json=body)


class ImitationWiki:
    """Answers each step with the next of its answers (the last one repeats); records requests."""

    def __init__(self, **answers: Answer | list[Answer]):
        self.answers: dict[str, list[Answer]] = {
            "login_token": [json_answer("login_token")],
            "login": [json_answer("login", {"Set-Cookie": SESSION_COOKIE})],
            "csrf_token": [json_answer("csrf_token")],
            "edit": [json_answer("edit")],
            "revision": [json_answer("revision")],
            "revisions": [talk_page],
            "usercontribs": [json_answer("usercontribs")],
            "userinfo": [json_answer("userinfo")],
        }
        for step, answer in answers.items():
            self.answers[step] = answer if isinstance(answer, list) else [answer]
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        queue = self.answers[step_of(request)]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return answer(request) if callable(answer) else answer

    def steps(self) -> list[str]:
        return [step_of(request) for request in self.sent]

    def sent_for(self, step: str) -> list[dict[str, str]]:
        return [params_of(r) for r in self.sent if step_of(r) == step]

    def connector(
        self, credentials: AccountCredentials = CREDENTIALS, **client
    ) -> MediaWikiConnector:
        http = httpx.Client(transport=httpx.MockTransport(self), **client)
        return MediaWikiConnector(credentials, http)


class TestMediaWikiContract(ConnectorContract):
    """The shared contract. The login and its tokens are answered as the wiki answered them;
    the contract's handler answers every other request (the edit), so its statuses, timeouts
    and refused connections apply to the publishing request itself."""

    connector_class = MediaWikiConnector
    credentials = CREDENTIALS
    draft = DRAFT
    published_body = recorded("mediawiki__edit")

    def connector(self, handler):
        login_steps = {"login_token", "login", "csrf_token"}
        imitation = ImitationWiki()

        def wiki(request: httpx.Request) -> httpx.Response:
            return imitation(request) if step_of(request) in login_steps else handler(request)

        return super().connector(wiki)


def test_it_sends_the_documented_edit_and_reads_the_revision():
    wiki = ImitationWiki()
    result = wiki.connector().publish(
        PostDraft(text=DRAFT.text, title="Roast notes", options={"summary": "New roast notes"}),
        "variant-42",
    )
    assert wiki.steps() == ["login_token", "login", "csrf_token", "edit"]
    [edit] = [r for r in wiki.sent if step_of(r) == "edit"]
    assert (edit.method, str(edit.url)) == ("POST", API)  # the token never in the query string
    assert params_of(edit) == {
        "action": "edit",
        "title": "Roast notes",
        "text": DRAFT.text,
        "bot": "1",
        "summary": f"New roast notes {key_marker('variant-42')}",
        "maxlag": "5",
        "assert": "user",
        "token": "a68f3e8f2218deea587dd7a86d12d24d6b0829af+\\",
        "format": "json",
        "formatversion": "2",
    }
    login = wiki.sent_for("login")[0]
    assert (login["lgname"], login["lgpassword"]) == ("Admin@tribune", CREDENTIALS.token)
    assert login["lgtoken"] == "e027a9f549c1a05a6bc2fcd201306c036b0829af+\\"
    assert result.ref == RemoteRef(
        "3:4",
        "https://wiki.example/w/index.php?title=Roast_notes&oldid=4",
        {"title": "Roast notes"},
    )
    assert result.published_at == datetime(2026, 11, 26, 12, 44, 32, tzinfo=UTC)


def test_it_takes_the_page_from_the_options_and_a_default_summary():
    wiki = ImitationWiki()
    wiki.connector().publish(PostDraft(text="Hours", options={"page": "Opening hours"}), "k")
    [edit] = wiki.sent_for("edit")
    assert edit["title"] == "Opening hours"
    assert edit["summary"] == f"Published with Tribune {key_marker('k')}"


def test_it_keeps_the_marker_when_the_summary_is_too_long():
    wiki = ImitationWiki()
    wiki.connector().publish(PostDraft(text="x", title="T", options={"summary": "é" * 600}), "k")
    summary = wiki.sent_for("edit")[0]["summary"]
    assert len(summary) == 500
    assert summary.endswith(f"… {key_marker('k')}")


def test_it_reads_the_current_revision_when_nothing_changed():
    wiki = ImitationWiki(edit=json_answer("edit__nochange"))
    result = wiki.connector().publish(DRAFT, "same")
    assert wiki.steps()[-2:] == ["edit", "revision"]
    assert wiki.sent_for("revision")[0]["pageids"] == "3"
    assert result.ref.remote_id == "3:4"


def test_it_keeps_the_login_in_its_own_cookie_jar():
    wiki = ImitationWiki()
    http = httpx.Client(transport=httpx.MockTransport(wiki))
    # Another account's session in the shared client must not travel with this one's requests.
    http.cookies.set("brulerie_wiki_session", "another-account", domain="wiki.example")
    MediaWikiConnector(CREDENTIALS, http).publish(DRAFT, "k")
    [edit] = [r for r in wiki.sent if step_of(r) == "edit"]
    assert edit.headers["Cookie"] == "brulerie_wiki_session=s3ss10n"
    assert "Cookie" not in wiki.sent[0].headers  # before the login: no cookie at all


def test_it_renews_a_stale_token_once():
    wiki = ImitationWiki(edit=[json_answer("error__badtoken"), json_answer("edit")])
    result = wiki.connector().publish(DRAFT, "k")
    assert wiki.steps() == ["login_token", "login", "csrf_token", "edit", "csrf_token", "edit"]
    assert result.ref.remote_id == "3:4"


def test_it_gives_up_on_a_token_refused_twice():
    wiki = ImitationWiki(edit=json_answer("error__badtoken"))
    with pytest.raises(AuthExpired) as caught:
        wiki.connector().publish(DRAFT, "k")
    assert caught.value.message == "Invalid CSRF token."
    assert wiki.steps().count("edit") == 2


def test_it_maps_a_refused_login_to_auth_expired_without_the_password():
    wiki = ImitationWiki(login=json_answer("login__failed"))
    with pytest.raises(AuthExpired) as caught:
        wiki.connector().publish(DRAFT, "k")
    assert "Incorrect username or password" in caught.value.message
    assert CREDENTIALS.token not in caught.value.message
    assert "edit" not in wiki.steps()


def test_it_maps_a_lost_login_to_auth_expired():
    wiki = ImitationWiki(edit=json_answer("error__assertuserfailed"))
    with pytest.raises(AuthExpired, match="no longer logged in"):
        wiki.connector().publish(DRAFT, "k")


def test_it_maps_an_anonymous_token_to_auth_expired():
    anonymous = {"batchcomplete": True, "query": {"tokens": {"csrftoken": "+\\"}}}
    wiki = ImitationWiki(csrf_token=httpx.Response(200, json=anonymous))
    with pytest.raises(AuthExpired):
        wiki.connector().publish(DRAFT, "k")
    assert "edit" not in wiki.steps()


def test_it_maps_maxlag_to_rate_limited_with_the_wikis_delay():
    headers = {"Retry-After": "5", "X-Database-Lag": "7"}
    wiki = ImitationWiki(edit=json_answer("error__maxlag", headers))
    with pytest.raises(RateLimited) as caught:
        wiki.connector().publish(DRAFT, "k")
    assert caught.value.retry_after == 5
    assert "7 seconds lagged" in caught.value.message
    # Without Retry-After, the lag itself says how long to wait.
    wiki = ImitationWiki(edit=json_answer("error__maxlag"))
    with pytest.raises(RateLimited) as caught:
        wiki.connector().publish(DRAFT, "k")
    assert caught.value.retry_after == 7


def test_it_maps_ratelimited_to_rate_limited():
    wiki = ImitationWiki(edit=json_answer("error__ratelimited"))
    with pytest.raises(RateLimited) as caught:
        wiki.connector().publish(DRAFT, "k")
    assert caught.value.retry_after == 60
    assert not caught.value.permanent


def test_it_maps_a_protected_page_to_rejected_with_the_wikis_text():
    wiki = ImitationWiki(edit=json_answer("error__protectedpage"))
    with pytest.raises(Rejected) as caught:
        wiki.connector().publish(DRAFT, "k")
    assert (
        caught.value.message == "This page has been protected to prevent editing or other actions."
    )


@pytest.mark.parametrize("code", ["abusefilter-disallowed", "spamblacklist", "permissiondenied"])
def test_it_maps_the_wikis_content_refusals_to_rejected(code):
    body = {"error": {"code": code, "info": f"Refused by {code}."}}
    wiki = ImitationWiki(edit=httpx.Response(200, json=body))
    with pytest.raises(Rejected, match=f"Refused by {code}."):
        wiki.connector().publish(DRAFT, "k")


def test_it_maps_an_unsaved_edit_to_rejected():
    captcha = {"edit": {"result": "Failure", "captcha": {"type": "image", "id": "1"}}}
    wiki = ImitationWiki(edit=httpx.Response(200, json=captcha))
    with pytest.raises(Rejected, match="captcha"):
        wiki.connector().publish(DRAFT, "k")


def test_it_maps_other_codes_to_a_permanent_error_with_the_wikis_text():
    body = {"error": {"code": "nosuchsection", "info": "There is no section 4."}}
    wiki = ImitationWiki(edit=httpx.Response(200, json=body))
    with pytest.raises(ConnectorError) as caught:
        wiki.connector().publish(DRAFT, "k")
    assert type(caught.value).__name__ == "WikiError"
    assert (caught.value.permanent, caught.value.message) == (True, "There is no section 4.")


def test_it_treats_an_internal_error_as_unknown_only_for_a_write():
    body = {"error": {"code": "internal_api_error_DBQueryError", "info": "A database error."}}
    wiki = ImitationWiki(
        edit=httpx.Response(200, json=body), usercontribs=httpx.Response(200, json=body)
    )
    with pytest.raises(OutcomeUnknown):
        wiki.connector().publish(DRAFT, "k")
    with pytest.raises(ConnectorError) as caught:
        wiki.connector().find_published("k", datetime(2026, 11, 1, tzinfo=UTC))
    assert not isinstance(caught.value, OutcomeUnknown)
    assert not caught.value.permanent


def test_it_treats_a_timeout_before_the_edit_as_safe_to_retry():
    def timeout(request):
        raise httpx.ReadTimeout("no answer", request=request)

    wiki = ImitationWiki(login=timeout)
    with pytest.raises(ConnectorError) as caught:
        wiki.connector().publish(DRAFT, "k")
    assert not isinstance(caught.value, OutcomeUnknown)
    assert not caught.value.permanent
    assert "edit" not in wiki.steps()


def test_it_refuses_an_answer_that_is_not_the_api():
    wiki = ImitationWiki(login_token=httpx.Response(200, text="<html>Welcome</html>"))
    with pytest.raises(ConnectorError) as caught:
        wiki.connector().verify()
    assert caught.value.permanent
    assert "MediaWiki API" in caught.value.message


def test_it_finds_the_api_from_the_home_page():
    home = (
        '<head><link rel="EditURI" type="application/rsd+xml"'
        ' href="//wiki.example/w/api.php?action=rsd"/></head>'
    )
    pages = [
        httpx.Response(301, headers={"Location": "/wiki/Main_Page"}),
        httpx.Response(200, text=home),
    ]
    wiki = ImitationWiki(page=pages)
    site = AccountCredentials(base_url="https://wiki.example/", username="Admin@tribune", token="t")
    connector = wiki.connector(site)
    assert connector.verify().handle == "Admin"
    assert [str(r.url) for r in wiki.sent[:2]] == [
        "https://wiki.example/",
        "https://wiki.example/wiki/Main_Page",
    ]
    assert connector.wiki.api_url() == API


def test_it_says_when_no_api_is_found():
    wiki = ImitationWiki(page=httpx.Response(404, text="Not found"))
    site = AccountCredentials(base_url="https://blog.example", username="a@b", token="t")
    with pytest.raises(ConnectorError, match="No MediaWiki API") as caught:
        wiki.connector(site).verify()
    assert caught.value.permanent


def test_it_verifies_the_account():
    identity = ImitationWiki().connector().verify()
    assert (identity.remote_id, identity.handle) == ("1", "Admin")
    assert identity.url == "https://wiki.example/wiki/User:Admin"


def test_it_refuses_a_bot_password_that_may_not_edit():
    reader = {"query": {"userinfo": {"id": 1, "name": "Admin", "rights": ["read"]}}}
    wiki = ImitationWiki(userinfo=httpx.Response(200, json=reader))
    with pytest.raises(AuthExpired, match="may not edit"):
        wiki.connector().verify()


def test_it_finds_a_publication_by_its_key_through_the_contributions():
    wiki = ImitationWiki()
    since = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    ref = wiki.connector().find_published("variant-42", since)
    # The recorded summary carries this marker: "New roast notes [tribune:0f1e2d3c4b5a]".
    assert ref is None
    wiki.answers["usercontribs"] = [_contributions_marked(key_marker("variant-42"))]
    ref = wiki.connector().find_published("variant-42", since)
    assert ref == RemoteRef(
        "3:4",
        "https://wiki.example/w/index.php?title=Roast_notes&oldid=4",
        {"title": "Roast notes"},
    )
    query = wiki.sent_for("usercontribs")[-1]
    assert (query["ucuser"], query["ucend"]) == ("Admin", "2026-11-26T13:00:00Z")
    assert "comment" in query["ucprop"]


def test_it_follows_the_continuation_of_the_contributions():
    first = {
        "continue": {"uccontinue": "20261126124429|2", "continue": "-||"},
        "query": {"usercontribs": []},
    }
    wiki = ImitationWiki(
        usercontribs=[httpx.Response(200, json=first), _contributions_marked(key_marker("k"))]
    )
    assert wiki.connector().find_published("k", datetime(2026, 11, 1, tzinfo=UTC))
    assert wiki.sent_for("usercontribs")[1]["uccontinue"] == "20261126124429|2"


def _contributions_marked(marker: str) -> httpx.Response:
    body = copy.deepcopy(recorded("mediawiki__usercontribs"))
    body["query"]["usercontribs"][1]["comment"] = f"New roast notes {marker}"
    return httpx.Response(200, json=body)


def test_it_reads_signed_comments_from_the_talk_pages():
    wiki = ImitationWiki()
    first, second = wiki.connector().fetch_inbox()
    query = wiki.sent_for("revisions")[0]
    assert query["titles"] == "User talk:Admin|Talk:Roast notes|Talk:Protected page"
    assert (first.author, first.text) == ("Visitor", "Is the Guji still in stock?")
    assert first.created_at == datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert first.ref.url == "https://wiki.example/wiki/Talk:Roast_notes#Stock"
    assert first.ref.remote_id.startswith("4#")
    assert first.in_reply_to is None
    # The account's own reply is not in its inbox, but it is what the next comment answers.
    assert (second.author, second.text) == ("Visitor", "Thanks! I will come on Thursday.")
    assert second.in_reply_to.extra["depth"] == "1"
    assert second.ref.extra == {
        "page": "Talk:Roast notes",
        "comment": second.ref.remote_id.split("#")[1],
        "thread": "Stock",
        "depth": "2",
    }


def test_it_reads_only_comments_since_a_time():
    inbox = ImitationWiki().connector().fetch_inbox(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    assert [item.text for item in inbox] == ["Thanks! I will come on Thursday."]


def test_it_replies_under_the_comment_one_colon_deeper():
    wiki = ImitationWiki()
    connector = wiki.connector()
    thanks = connector.fetch_inbox()[1]
    reply = connector.reply(thanks.ref, "See you then!")
    [edit] = wiki.sent_for("edit")
    assert edit["text"].endswith(
        "::Thanks! I will come on Thursday. [[User:Visitor|Visitor]] ([[User talk:Visitor|talk]]) "
        "10:02, 26 November 2026 (UTC)\n:::See you then! ~~~~"
    )
    assert (edit["title"], edit["nocreate"], edit["summary"]) == (
        "Talk:Roast notes",
        "1",
        "/* Stock */ reply",
    )
    assert (edit["baserevid"], edit["basetimestamp"]) == ("6", "2026-11-26T12:44:33Z")
    assert reply.remote_id == "3:4"
    assert reply.extra == {"page": "Talk:Roast notes", "thread": "Stock", "depth": "3"}


def test_it_does_not_post_a_reply_that_is_already_there():
    wiki = ImitationWiki()
    connector = wiki.connector()
    question = connector.fetch_inbox()[0]
    again = connector.reply(question.ref, "Yes,   until Friday.")
    assert "edit" not in wiki.steps()
    assert again.extra["depth"] == "1"
    assert again.remote_id.startswith("4#")


def test_it_opens_a_thread_when_replying_to_a_page():
    wiki = ImitationWiki()
    page = RemoteRef("3:4", extra={"title": "Roast notes"})
    reply = wiki.connector().reply(page, "Tasting on Saturday.\nBring a friend.")
    [edit] = wiki.sent_for("edit")
    assert (edit["title"], edit["section"], edit["sectiontitle"]) == (
        "Talk:Roast notes",
        "new",
        "Tasting on Saturday. Bring a friend.",
    )
    assert edit["text"] == "Tasting on Saturday.\nBring a friend. ~~~~"
    assert reply.extra["depth"] == "0"


def test_it_deletes_a_page_and_counts_a_missing_one_as_deleted():
    missing = {"error": {"code": "missingtitle", "info": "The page you specified doesn't exist."}}
    deleted = {"delete": {"title": "Roast notes", "reason": "Deleted from Tribune", "logid": 9}}
    wiki = ImitationWiki(
        delete=[httpx.Response(200, json=deleted), httpx.Response(200, json=missing)]
    )
    connector = wiki.connector()
    page = RemoteRef("3:4", extra={"title": "Roast notes"})
    connector.delete(page)
    connector.delete(page)
    assert [d["pageid"] for d in wiki.sent_for("delete")] == ["3", "3"]


def test_it_deletes_pages_not_comments():
    connector = ImitationWiki().connector()
    with pytest.raises(NotSupported):
        connector.delete(RemoteRef("4#ab12", extra={"page": "Talk:Roast notes"}))


def test_it_refuses_a_draft_without_a_title_or_with_media():
    connector = MediaWikiConnector(CREDENTIALS, httpx.Client())
    assert connector.validate(DRAFT) == []
    photo = MediaItem(b"\x89PNG", "image/png", "A cup")
    problems = connector.validate(PostDraft(text="No title", media=(photo,)))
    assert [p.code for p in problems] == ["title_missing", "media_not_supported"]
    with pytest.raises(ConnectorError) as caught:
        connector.publish(PostDraft(text="No title"), "k")
    assert caught.value.permanent


def test_it_never_shows_the_bot_password():
    connector = MediaWikiConnector(CREDENTIALS, httpx.Client())
    assert CREDENTIALS.token not in repr(connector.wiki)
    assert CREDENTIALS.token not in repr(connector.account)


def test_it_finds_connectors_in_the_one_registry():
    assert connector_class("mediawiki") is MediaWikiConnector
