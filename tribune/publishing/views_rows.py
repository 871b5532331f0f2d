"""What the publishing pages show about targets, read in a fixed number of queries.

The post's panel, the publishing list and the reminder page share these
rows, so a target reads the same everywhere: its state in words, its due
time, its address, the advice for what to do, and what the member may do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db.models import Count, Min, Prefetch, QuerySet
from django.utils import timezone

from tribune.networks.models import SECRET_FIELDS, AccountStatus
from tribune.strategy.catalog import network_name
from tribune.workspaces.actions import Access
from tribune.workspaces.models import Workspace
from tribune.workspaces.roles import Action

from .advice import Advice, advice_for
from .drafts import thread_parts
from .models import Attempt, Target, TargetState
from .sweeper import late_targets

# The states each decision accepts (actions.py refuses the others all the same).
MARKABLE = frozenset({TargetState.UNKNOWN, TargetState.AWAITING, TargetState.FAILED})
# A target due within this is watched closely: the panel refreshes every few seconds.
SOON = timedelta(minutes=10)
BADGES = {
    TargetState.PUBLISHED: "ok",
    TargetState.SKIPPED: "",
    TargetState.FAILED: "closed",
    TargetState.UNKNOWN: "warn",
    TargetState.AWAITING: "warn",
}


def web_url(url: str) -> str:
    """The address when it is a web address, else "": only those become links people open."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def targets_of(workspace: Workspace) -> QuerySet[Target]:
    """The workspace's targets with their account, never reading the account's secrets."""
    return (
        Target.objects.filter(workspace=workspace)
        .select_related("workspace", "account", "post", "variant")
        .defer(*(f"account__{name}" for name in SECRET_FIELDS))
    )


def with_attempts(targets: QuerySet[Target]) -> QuerySet[Target]:
    return targets.prefetch_related(
        Prefetch("attempts", queryset=Attempt.objects.order_by("number", "pk"))
    )


@dataclass
class Part:
    number: int
    text: str
    url: str
    published: bool


@dataclass
class TargetRow:
    target: Target
    network: str
    badge: str
    url: str
    advice: Advice | None
    can_act: bool
    first_comment_url: str = ""
    attempts: list[tuple[Attempt, str]] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.target.state

    @property
    def account_trouble(self) -> bool:
        return self.target.account.status != AccountStatus.ACTIVE

    @property
    def can_retry(self) -> bool:
        return self.can_act and self.state == TargetState.FAILED

    @property
    def can_mark(self) -> bool:
        return self.can_act and self.state in MARKABLE

    @property
    def can_publish_again(self) -> bool:
        return self.can_act and self.state == TargetState.UNKNOWN

    @property
    def can_skip(self) -> bool:
        return self.can_mark


def _parts(target: Target) -> list[Part]:
    """The thread's posts after the first, with the address of each one already out."""
    texts = [target.variant.text] + thread_parts(target.variant)
    if len(texts) < 2:
        return []
    refs = target.thread_refs if isinstance(target.thread_refs, list) else []
    parts = []
    for number, text in enumerate(texts, start=1):
        ref = refs[number - 1] if number <= len(refs) and isinstance(refs[number - 1], dict) else {}
        parts.append(Part(number, text, web_url(str(ref.get("url", ""))), bool(ref)))
    return parts


def target_row(access: Access, target: Target, attempts: bool = False) -> TargetRow:
    network = target.account.network
    row = TargetRow(
        target=target,
        network=network_name(network),
        badge=BADGES.get(target.state, ""),
        url=web_url(target.url),
        advice=advice_for(target, access.workspace.slug),
        can_act=access.can(Action.PUBLISH, network),
        first_comment_url=web_url(target.first_comment_url),
    )
    if attempts:
        row.attempts = [(a, web_url(a.url)) for a in target.attempts.all()]
        row.parts = _parts(target)
    return row


def polling(targets: list[Target], now: datetime | None = None) -> str:
    """How often a page showing these targets refreshes: "5s", "60s", or "" (never)."""
    now = now or timezone.now()
    if any(t.state == TargetState.PUBLISHING for t in targets):
        return "5s"
    scheduled = [t.next_attempt_at for t in targets if t.state == TargetState.SCHEDULED]
    if not scheduled:
        return ""
    return "5s" if min(scheduled) <= now + SOON else "60s"


@dataclass(frozen=True)
class Lateness:
    count: int
    oldest_due: datetime | None


def lateness(workspace: Workspace) -> Lateness:
    """How many of the workspace's targets are late, and the oldest due time among them."""
    found = (
        late_targets().filter(workspace=workspace).aggregate(n=Count("pk"), oldest=Min("due_at"))
    )
    return Lateness(found["n"], found["oldest"])
