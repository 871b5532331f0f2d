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


@dataclass(frozen=True)
class PostDraft:
    """One variant as it goes out: final text (links tagged), media, network options."""

    text: str
    link: str = ""
    media: tuple[MediaItem, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    reply_to: RemoteRef | None = None


@dataclass(frozen=True)
class RemoteRef:
    """Where a published item lives on the network."""

    remote_id: str
    url: str = ""


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
    # Whether the network deduplicates a repeated publish carrying the same key:
    # then a publish whose outcome is unknown may be retried with that key.
    idempotent_publish: ClassVar[bool] = False

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

    def publish(self, post: PostDraft, idempotency_key: str) -> PublishResult:
        raise NotSupported()

    def find_published(self, idempotency_key: str, since: datetime) -> RemoteRef | None:
        raise NotSupported()

    def fetch_metrics(self, refs: Sequence[RemoteRef]) -> list[MetricSnapshot]:
        raise NotSupported()

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        raise NotSupported()
