"""Creating a scheduled post's targets, and taking them back when it is unscheduled.

A variant goes to every connected account of its network in the workspace,
except those listed in the variant's options["skip_accounts"] (account ids).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tribune.editorial.checks_data import Finding
from tribune.editorial.choices import Severity
from tribune.editorial.models import Post
from tribune.networks.models import Account, AccountStatus
from tribune.strategy.catalog import network_name

from .models import Target, TargetState


def accounts_for(post: Post, network: str, skip: list) -> list[Account]:
    found = Account.objects.filter(workspace_id=post.workspace_id, network=network).exclude(
        status=AccountStatus.DISCONNECTED
    )
    skipped = {int(s) for s in skip if str(s).isdigit()}
    return [a for a in found.defer("token", "refresh_token", "secrets") if a.pk not in skipped]


def plan_targets(post: Post) -> list[Finding]:
    """Create or move the post's targets to post.scheduled_at; return warnings for people.

    Targets waiting for their time move (a post being scheduled has no target in
    flight: its first claim makes it "publishing"); the caller holds the post's lock.
    """
    when = post.scheduled_at
    warnings = []
    keep: set[int] = set()
    touched: set[int] = set()
    for variant in post.variants.all():
        accounts = accounts_for(
            post, variant.network, (variant.options or {}).get("skip_accounts") or []
        )
        if not accounts:
            warnings.append(
                Finding(
                    rule="no_account",
                    severity=Severity.WARN,
                    message=_("No account is connected on %(network)s: nothing will be "
                              "published there.") % {"network": network_name(variant.network)},
                    where=network_name(variant.network),
                    fix=_("Connect an account on the Accounts page, then schedule again."),
                    post_id=post.pk,
                    network=variant.network,
                )
            )  # fmt: skip
        for account in accounts:
            target, created = Target.objects.get_or_create(
                variant=variant,
                account=account,
                defaults={"workspace_id": post.workspace_id, "post": post, "due_at": when,
                          "next_attempt_at": when},
            )  # fmt: skip
            keep.add(target.pk)
            if not created and target.state == TargetState.SCHEDULED:
                Target.objects.filter(pk=target.pk).update(due_at=when, next_attempt_at=when)
            elif not created and target.state == TargetState.FAILED:
                # Scheduled again after failing: it goes at the new time, with a fresh
                # attempt budget; an open doubt (verify_first) is kept.
                Target.objects.filter(pk=target.pk, state=TargetState.FAILED).update(
                    state=TargetState.SCHEDULED, due_at=when, next_attempt_at=when, problem="",
                    retries_from=target.attempt_count,
                )  # fmt: skip
            touched.add(account.pk)
    Target.objects.filter(post=post, state=TargetState.SCHEDULED, attempt_count=0).exclude(
        pk__in=keep
    ).delete()
    from .tasks import enqueue

    for account_id in touched:
        enqueue(account_id, when)
    return warnings


def cancel_targets(post: Post) -> int:
    """Delete the post's targets that never started (the post left "scheduled")."""
    with transaction.atomic():
        deleted, _rows = Target.objects.filter(
            post=post, state=TargetState.SCHEDULED, attempt_count=0
        ).delete()
    return deleted
