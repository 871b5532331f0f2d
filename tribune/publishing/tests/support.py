"""Helpers for the publishing tests: an account, a scheduled post, a scripted network.

`ScriptedNetwork` answers each request from a list of canned responses through
httpx.MockTransport: an imitation of a network's HTTP side, used to drive the
engine through every answer a network can give.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.editorial.models import Notification
from tribune.editorial.tests.workflow_support import access_for, make_post
from tribune.networks.models import Account
from tribune.publishing.claims import Claim, claim_next
from tribune.publishing.models import Attempt, Target
from tribune.publishing.targets import plan_targets
from tribune.workspaces.models import Workspace

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception


def make_account(workspace: Workspace, network: str = "mastodon", **fields) -> Account:
    defaults = {
        "name": f"Lumen on {network}",
        "handle": "lumen",
        "base_url": f"https://{network}.example",
        "token": "tok-secret-1",
        "remote_id": f"{network}-1",
    }
    return Account.objects.create(workspace=workspace, network=network, **{**defaults, **fields})


def scheduled_post(workspace, author, accounts, *, networks=("mastodon",), due=None, **fields):
    """A post in "scheduled" with its targets planned, due now (or at `due`)."""
    post = make_post(workspace, author, networks=networks, state=PostState.SCHEDULED, **fields)
    post.scheduled_at = due or timezone.now() - timedelta(seconds=1)
    post.save()
    plan_targets(post)
    return post


class ScriptedNetwork:
    """Replays answers in order (the last one repeats); records every request."""

    def __init__(self, *answers: Answer):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))

    def sent(self, method: str = "POST", path: str = "") -> list[httpx.Request]:
        """The requests sent with `method` whose path contains `path`."""
        return [r for r in self.requests if r.method == method and path in r.url.path]


def status(n: int = 1) -> httpx.Response:
    return httpx.Response(
        200,
        json={"id": str(100 + n), "url": f"https://mastodon.example/@lumen/{100 + n}",
              "created_at": "2026-11-26T10:00:00Z"},
    )  # fmt: skip


def created(n: int = 1, network: str = "findable") -> httpx.Response:
    """A made-up network's answer to a publish (tests/connectors.py)."""
    return httpx.Response(200, json={"id": f"p{n}", "url": f"https://{network}.example/p/{n}"})


def search(*ids: int, network: str = "findable") -> httpx.Response:
    """FindableConnector's search answer: the posts carrying the marker (none when no id)."""
    return httpx.Response(
        200, json=[{"id": f"p{n}", "url": f"https://{network}.example/p/{n}"} for n in ids]
    )


def targets(post) -> list[Target]:
    return list(Target.objects.filter(post=post).order_by("pk"))


def make_due(*items: Target) -> None:
    """Move a target's next attempt into the past (time moves, no one sleeps)."""
    past = timezone.now() - timedelta(seconds=1)
    Target.objects.filter(pk__in=[t.pk for t in items]).update(next_attempt_at=past)
    Account.objects.filter(targets__in=[t.pk for t in items]).update(paused_until=None)


def age_attempts(target: Target, by: timedelta) -> None:
    """Pretend every attempt of the target started `by` earlier."""
    for attempt in Attempt.objects.filter(target=target):
        Attempt.objects.filter(pk=attempt.pk).update(started_at=attempt.started_at - by)


def claim(account: Account, worker: str = "worker-a") -> Claim | None:
    return claim_next(account.pk, worker, timezone.now())


def attempts(target: Target) -> list[Attempt]:
    return list(Attempt.objects.filter(target=target).order_by("number", "pk"))


def notified(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


__all__ = [
    "access_for",
    "age_attempts",
    "attempts",
    "claim",
    "created",
    "make_account",
    "make_due",
    "notified",
    "scheduled_post",
    "search",
    "status",
    "targets",
]
