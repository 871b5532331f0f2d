"""A logged-in conversation with one wiki's action API (mediawiki.org/wiki/API:Main_page).

- Every request asks for `format=json&formatversion=2`.
- The login lives in this session's own cookie jar, never in the shared httpx
  client's: two accounts on one wiki must not share a login.
- MediaWiki reports most errors inside a 200 response, as
  `{"error": {"code": ..., "info": ...}}` (mediawiki.org/wiki/API:Errors_and_warnings);
  `raise_for_error` turns the codes into Tribune's typed errors.
- Writes carry `maxlag=5` (mediawiki.org/wiki/Manual:Maxlag_parameter) and
  `assert=user`, so an edit never goes out as an anonymous one when the login
  was lost on the way.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.utils.translation import gettext as _

from ..errors import AuthExpired, ConnectorError, OutcomeUnknown, RateLimited, Rejected
from ..http import retry_after, send
from .site import Site

# Codes meaning the login is gone or refused: the account must be reconnected.
AUTH_CODES = frozenset(
    {
        "assertuserfailed",
        "assertbotfailed",
        "assertnameduserfailed",
        "notloggedin",
        "readapidenied",
        "mwoauth-invalid-authorization",
    }
)
# Codes meaning the wiki refused this content or this page: its own text says why.
REJECTED_CODES = frozenset(
    {
        "protectedpage",
        "protectedtitle",
        "protectednamespace",
        "protectednamespace-interface",
        "cascadeprotected",
        "customcssprotected",
        "customjsprotected",
        "permissiondenied",
        "writeapidenied",
        "blocked",
        "autoblocked",
        "spamblacklist",
        "titleblacklist-forbidden",
        "contenttoobig",
        "invalidtitle",
        "pagedeleted",
        "hookaborted",
        "noedit",
        "noimageredirect",
        "cantcreate",
        "cantcreate-anon",
        "confirmemail",
        "abusefilter-disallowed",
        "abusefilter-warning",
        "captcha",
    }
)
REJECTED_PREFIXES = ("abusefilter-", "titleblacklist-", "spamblacklist")
# Codes meaning "not now": nothing was changed, the same request may be sent again later.
TEMPORARY_CODES = frozenset({"readonly", "editconflict", "lockmanager-fail-conflict"})
# The anonymous CSRF token: handed out when the wiki no longer knows the login.
ANONYMOUS_TOKEN = "+\\"
MAX_CONTINUATIONS = 20
LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)


class WikiError(ConnectorError):
    """Any other error code: permanent, with the wiki's message and its code."""

    def __init__(self, message: str, code: str):
        super().__init__(message, permanent=True)
        self.code = code


class StaleToken(AuthExpired):
    """`badtoken`: the CSRF token expired; a fresh one may be asked for once."""


class WikiSession:
    def __init__(self, http: httpx.Client, base_url: str, bot_name: str, bot_password: str):
        self.http = http
        self.base_url = base_url.strip()
        self.bot_name = bot_name
        self.bot_password = bot_password
        self.cookies = httpx.Cookies()
        # The wiki user the bot password acts for, once logged in ("Admin" for "Admin@tribune").
        self.user = ""
        self._api = ""
        self._site: Site | None = None
        self._csrf = ""

    def __repr__(self) -> str:
        return f"WikiSession({self.base_url!r}, {self.bot_name!r})"

    def site(self) -> Site:
        self.login()
        assert self._site is not None
        return self._site

    def login(self) -> None:
        """Log in with the bot password (mediawiki.org/wiki/API:Login), once per session.

        Raises AuthExpired when the wiki refuses the bot name or password.
        """
        if self.user:
            return
        api = self.api_url()
        # The site's paths and namespace names come with the login token: one request for both.
        query = self._call(
            "GET",
            {
                "action": "query",
                "meta": "tokens|siteinfo",
                "type": "login",
                "siprop": "general|namespaces|namespacealiases",
            },
        )["query"]
        self._site = Site.from_siteinfo(api, query)
        answer = self._call(
            "POST",
            {
                "action": "login",
                "lgname": self.bot_name,
                "lgpassword": self.bot_password,
                "lgtoken": query["tokens"]["logintoken"],
            },
        ).get("login", {})
        if answer.get("result") != "Success":
            reason = answer.get("reason") or answer.get("result") or ""
            if isinstance(reason, dict):
                reason = reason.get("text") or reason.get("code") or ""
            raise AuthExpired(
                _("The wiki refused the bot password: %(reason)s") % {"reason": reason}
            )
        self.user = answer.get("lgusername") or self.bot_name.rsplit("@", 1)[0]

    def read(self, params: dict) -> dict:
        """Return the answer to a query, logged in. A read changes nothing on the wiki."""
        self.login()
        return self._call("GET", params)

    def read_all(self, params: dict) -> Iterator[dict]:
        """Yield each batch of a query, following `continue` (mediawiki.org/wiki/API:Continue)."""
        self.login()
        following: dict = {}
        for _batch in range(MAX_CONTINUATIONS):
            body = self._call("GET", {**params, **following})
            yield body
            following = body.get("continue") or {}
            if not following:
                return

    def write(self, params: dict) -> dict:
        """Send a write with a CSRF token; a stale token is renewed once.

        Raises OutcomeUnknown when the wiki may have acted without answering.
        """
        self.login()
        for attempt in (1, 2):
            try:
                return self._call(
                    "POST",
                    {
                        **params,
                        "token": self._token(),
                        "maxlag": "5",
                        "assert": "user",
                    },
                    write=True,
                )
            except StaleToken:
                self._csrf = ""
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def current_revision(self, pageid: int) -> dict:
        """Return the page's latest revision: its `revid` and `timestamp`."""
        query = self.read(
            {
                "action": "query",
                "prop": "revisions",
                "pageids": str(pageid),
                "rvprop": "ids|timestamp",
            }
        )["query"]
        return query["pages"][0]["revisions"][0]

    def _token(self) -> str:
        if not self._csrf:
            tokens = self._call("GET", {"action": "query", "meta": "tokens"})["query"]["tokens"]
            if tokens.get("csrftoken", ANONYMOUS_TOKEN) == ANONYMOUS_TOKEN:
                raise AuthExpired(_("The wiki no longer knows this login."))
            self._csrf = tokens["csrftoken"]
        return self._csrf

    def _call(self, method: str, params: dict, *, write: bool = False) -> dict:
        params = {**params, "format": "json", "formatversion": "2"}
        if method == "GET":
            request = self.http.build_request("GET", self.api_url(), params=params)
        else:  # tokens must travel in a POST body, never in the query string
            request = self.http.build_request("POST", self.api_url(), data=params)
        response = self._send(request, write=write)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ConnectorError(
                _("The address does not answer like a MediaWiki API."), permanent=True
            )
        if "error" in body:
            raise_for_error(body["error"], response, write=write)
        return body

    def _send(self, request: httpx.Request, *, write: bool) -> httpx.Response:
        # Only this session's cookies go out, whatever the shared client's jar holds.
        request.headers.pop("Cookie", None)
        self.cookies.set_cookie_header(request)
        try:
            response = send(self.http, request)
        except OutcomeUnknown as unknown:
            if write:
                raise
            # A read, a token or a login changes nothing: sending it again is safe.
            raise ConnectorError(unknown.message, status=unknown.status) from None
        self.cookies.extract_cookies(response)
        return response

    def api_url(self) -> str:
        """Return the address of api.php, from the one given or from the page it names.

        Every MediaWiki page links its API in `<link rel="EditURI" href=".../api.php?action=rsd">`.
        """
        if self._api:
            return self._api
        url = self.base_url if "://" in self.base_url else f"https://{self.base_url}"
        parts = urlsplit(url)
        if parts.path.endswith("api.php"):
            self._api = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
            return self._api
        for _hop in range(5):
            try:
                response = self._send(self.http.build_request("GET", url), write=False)
            except Rejected:
                break
            if response.is_redirect and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                continue
            href = edit_uri(response.text)
            if href:
                found = urlsplit(urljoin(str(response.url), href))
                self._api = urlunsplit((found.scheme, found.netloc, found.path, "", ""))
                return self._api
            break
        raise ConnectorError(
            _(
                "No MediaWiki API was found at this address: give the address of its api.php "
                "(the wiki's Special:Version page shows it)."
            ),
            permanent=True,
        )


def edit_uri(page: str) -> str:
    for tag in LINK_TAG.findall(page):
        if re.search(r"""rel\s*=\s*["']?EditURI""", tag, re.IGNORECASE):
            href = re.search(r"""href\s*=\s*["']([^"']+)""", tag)
            if href:
                return html.unescape(href.group(1))
    return ""


def raise_for_error(error: dict, response: httpx.Response, *, write: bool) -> None:
    """Raise the typed error for a MediaWiki error object (`write`: the request was a write)."""
    code = str(error.get("code", ""))
    info = str(error.get("info") or error.get("text") or code)[:500]
    if code == "badtoken":
        raise StaleToken(info)
    if code == "maxlag":
        # The replicas lag behind: the wiki asks bots to pause. It sends Retry-After, and the lag.
        if "Retry-After" in response.headers:
            wait = retry_after(response)
        else:
            wait = max(5.0, float(error.get("lag") or 0))
        raise RateLimited(info, retry_after=wait, status=response.status_code)
    if code == "ratelimited":
        raise RateLimited(info, retry_after=retry_after(response), status=response.status_code)
    if code in AUTH_CODES:
        raise AuthExpired(info)
    if code in REJECTED_CODES or code.startswith(REJECTED_PREFIXES):
        raise Rejected(info)
    if code in TEMPORARY_CODES:
        raise ConnectorError(info, permanent=False)
    if code.startswith("internal_api_error"):
        # The wiki failed while handling the request: like a 500, a write may have happened.
        raise OutcomeUnknown(info) if write else ConnectorError(info)
    raise WikiError(info, code)


def edit_result(body: dict) -> dict:
    """Return the `edit` answer; raise Rejected when the wiki did not save (CAPTCHA, filters)."""
    edit = body.get("edit", {})
    if edit.get("result") == "Success":
        return edit
    reasons = [key for key in edit if key not in {"result", "title", "pageid", "contentmodel"}]
    detail = edit.get("info") or ", ".join(reasons) or str(edit.get("result", ""))
    raise Rejected(_("The wiki did not save the edit: %(detail)s") % {"detail": detail})


def wiki_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
