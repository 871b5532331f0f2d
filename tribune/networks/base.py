"""The connector interface: what every network integration offers Tribune.

Inputs and outputs are frozen dataclasses, never ORM objects. Connectors
never read settings or the environment: credentials arrive through the
constructor, already decrypted. A connector's limits come from the editorial
rules table (tribune/editorial/rules_table.py), the single source of each
network's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

import httpx

from tribune.editorial.counting import count
from tribune.editorial.rules import text_limit
from tribune.editorial.rules_table import NetworkRules, rules_for

from .errors import NotSupported


class Capability(StrEnum):
    PUBLISH = "publish"
    METRICS = "metrics"
    INBOX = "inbox"
    REPLY = "reply"
    MODERATE = "moderate"
    SEARCH = "search"
    THREAD = "thread"
    DELETE = "delete"


class AuthKind(StrEnum):
    """How an account connects: a form for credentials, or the OAuth2 code flow."""

    PASSWORD = "password"  # application password, bot password, app password
    TOKEN = "token"  # a bot or API token pasted by the user
    OAUTH2 = "oauth2"


class Moderation(StrEnum):
    """What a moderator may do to a comment, where the network allows it."""

    APPROVE = "approve"
    HOLD = "hold"
    SPAM = "spam"
    TRASH = "trash"
    HIDE = "hide"


@dataclass(frozen=True)
class CredentialField:
    """One field of the connect form. `secret` fields are stored encrypted, never shown again.

    `target` is where the value goes in AccountCredentials: "base_url",
    "username", "token", or any other name (kept in `extra`).
    """

    target: str
    label: str
    secret: bool = False
    help_text: str = ""
    placeholder: str = ""


@dataclass(frozen=True)
class OAuthSpec:
    """The OAuth2 authorisation-code flow of a network (paths relative to the account's base URL
    when `per_instance`, absolute otherwise)."""

    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    pkce: bool = True
    # Mastodon: every instance is its own server; the user names it first.
    per_instance: bool = False


@dataclass(frozen=True)
class AccountIdentity:
    """Who the credentials act as, read from the network when connecting."""

    remote_id: str
    handle: str
    display_name: str = ""
    url: str = ""


@dataclass(frozen=True)
class TokenGrant:
    """Tokens from an OAuth2 exchange or refresh. An absent refresh token keeps the stored one."""

    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    scope: str = ""

    def __repr__(self) -> str:
        return f"TokenGrant(expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class AccountCredentials:
    """What a connector needs to act as an account; secrets are decrypted by the caller."""

    base_url: str
    token: str = ""
    username: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # secrets never reach a log line through repr()
        return f"AccountCredentials(base_url={self.base_url!r}, username={self.username!r})"


@dataclass(frozen=True)
class MediaItem:
    content: bytes
    mime_type: str
    alt_text: str
    file_name: str = ""

    def __repr__(self) -> str:  # never dump megabytes into a log line
        return f"MediaItem({self.file_name!r}, {self.mime_type}, {len(self.content)} bytes)"


@dataclass(frozen=True)
class PostDraft:
    """One variant as it goes out: final text (links tagged), media, network options."""

    text: str
    link: str = ""
    # Title where the network has one (WordPress post, wiki page, YouTube video).
    title: str = ""
    media: tuple[MediaItem, ...] = ()
    # Network options from the variant (WordPress: "categories", "status";
    # wikis: "summary"); values are strings or lists of strings.
    options: dict = field(default_factory=dict)
    # A reply or the next part of a thread: the parent, and the thread's first post.
    reply_to: RemoteRef | None = None
    thread_root: RemoteRef | None = None


@dataclass(frozen=True)
class RemoteRef:
    """Where a published item lives on the network."""

    remote_id: str
    url: str = ""
    # What else the network needs to point at the item again (Bluesky: the record's cid).
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishResult:
    ref: RemoteRef
    published_at: datetime | None = None
    status: int | None = None


@dataclass(frozen=True)
class MetricSnapshot:
    ref: RemoteRef
    taken_at: datetime
    # Tribune's vocabulary -> value; the network's own names kept beside.
    values: dict[str, int]
    raw: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxItem:
    """A comment, reply or mention addressed to the account."""

    ref: RemoteRef
    author: str
    text: str
    created_at: datetime
    in_reply_to: RemoteRef | None = None
    # The network's own moderation status when it has one (WordPress: approved, hold, spam).
    status: str = ""


@dataclass(frozen=True)
class DraftProblem:
    code: str
    message: str
    limit: int | None = None
    actual: int | None = None


class Connector:
    """Base class: declare `key`, `label`, `capabilities`; override what the network offers."""

    key: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    auth: ClassVar[AuthKind] = AuthKind.PASSWORD
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
    oauth: ClassVar[OAuthSpec | None] = None
    # Whether the network deduplicates a repeated publish carrying the same key:
    # then a publish whose outcome is unknown may be retried with that key.
    idempotent_publish: ClassVar[bool] = False
    # How long the network remembers an idempotency key (Mastodon: an hour);
    # None: for ever. Past it, a doubt is settled by find_published or a person.
    idempotency_window_s: ClassVar[int | None] = None

    def __init__(self, account: AccountCredentials, http: httpx.Client):
        self.account = account
        self.http = http

    @classmethod
    def limits(cls) -> NetworkRules:
        return rules_for(cls.key)

    def validate(self, post: PostDraft) -> list[DraftProblem]:
        """Return what stops this draft going out (pure: no I/O)."""
        rules = self.limits()
        problems = []
        limit = text_limit(rules, bool(post.media))
        size = count(rules.counting, post.text)
        if limit is not None and size > limit:
            problems.append(DraftProblem("text_too_long", f"{size} > {limit}", limit, size))
        media_max = rules.media.max_items
        if media_max is not None and len(post.media) > media_max:
            problems.append(
                DraftProblem("too_many_media", f"{len(post.media)} > {media_max}", media_max,
                             len(post.media))
            )  # fmt: skip
        return problems

    def verify(self) -> AccountIdentity:
        """Check the credentials against the network; return who they act as."""
        raise NotSupported()

    def refresh(self) -> TokenGrant:
        """Exchange the stored refresh token for new tokens (OAuth2 networks)."""
        raise NotSupported()

    def publish(self, post: PostDraft, idempotency_key: str) -> PublishResult:
        """Publish; `idempotency_key` is stable across every attempt of one target.

        Networks that cannot take the key should leave a trace of it that
        `find_published` can search for (a hidden marker, a client reference).
        """
        raise NotSupported()

    def find_published(self, idempotency_key: str, since: datetime) -> RemoteRef | None:
        """Return the item a publish with this key made since `since`, or None when none was."""
        raise NotSupported()

    def fetch_metrics(self, refs: Sequence[RemoteRef]) -> list[MetricSnapshot]:
        raise NotSupported()

    def fetch_account_metrics(self) -> MetricSnapshot:
        """Read the account's own figures (followers), its ref being the account's remote id.

        Levels only: the rise from one reading to the next (new followers) is
        computed by Tribune (tribune/analytics/rollups.py).
        """
        raise NotSupported()

    def fetch_inbox(self, since: datetime | None = None) -> list[InboxItem]:
        raise NotSupported()

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        raise NotSupported()

    def moderate(self, ref: RemoteRef, action: Moderation) -> None:
        raise NotSupported()

    def delete(self, ref: RemoteRef) -> None:
        raise NotSupported()
