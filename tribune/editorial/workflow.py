"""The approval workflow: the state machine of a post and the approval policies.

States: draft → in review → approved → scheduled. A reviewer may send a post
in review back with "changes requested" (a reason is required); once edited it
goes to review again. Editing the content of an approved or scheduled post
sends it back to draft (`do_reopen_after_edit`), and "unschedule" takes a
scheduled post back to approved.

Every move is checked by the permission layer, recorded as a Transition (who,
when, why) and as an audit event, and notifies the people concerned after the
transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.core.snapshot import snapshot
from tribune.strategy.catalog import network_name
from tribune.workspaces.actions import Access, record
from tribune.workspaces.roles import Action

from . import approvals
from .choices import PostState
from .models import Approval, Post, Transition
from .notifications import lazy_text, notify

S = PostState


@dataclass(frozen=True)
class Move:
    """One allowed edge of the state machine and the permission it needs."""

    action: Action
    label: str
    reason_required: bool = False


# Approving (in review → approved) and scheduling (approved → scheduled) are
# not plain edges: they go through do_approve and do_schedule, which check
# approval policies, network rules and calendar checks.
MOVES: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.IN_REVIEW): Move(Action.WRITE_POSTS, gettext_lazy("Send for review")),
    (S.CHANGES_REQUESTED, S.IN_REVIEW): Move(Action.WRITE_POSTS, gettext_lazy("Send for review")),
    (S.IN_REVIEW, S.CHANGES_REQUESTED): Move(
        Action.APPROVE_POSTS, gettext_lazy("Request changes"), reason_required=True
    ),
    (S.IN_REVIEW, S.DRAFT): Move(Action.WRITE_POSTS, gettext_lazy("Withdraw from review")),
    (S.CHANGES_REQUESTED, S.DRAFT): Move(Action.WRITE_POSTS, gettext_lazy("Back to draft")),
    (S.APPROVED, S.DRAFT): Move(Action.WRITE_POSTS, gettext_lazy("Back to draft")),
    (S.SCHEDULED, S.DRAFT): Move(Action.WRITE_POSTS, gettext_lazy("Back to draft")),
    (S.SCHEDULED, S.APPROVED): Move(Action.PUBLISH, gettext_lazy("Unschedule")),
    # A post that failed everywhere (missed, refused) can be edited and scheduled again;
    # its failed publications then go at the new time.
    (S.FAILED, S.DRAFT): Move(Action.WRITE_POSTS, gettext_lazy("Back to draft")),
}


def _lock(access: Access, post: Post) -> Post:
    """Re-read the post under a row lock, from the access's workspace only."""
    locked = Post.objects.select_for_update().filter(workspace=access.workspace, pk=post.pk).first()
    if locked is None:
        raise Http404
    return locked


def _deny() -> PermissionDenied:
    return PermissionDenied(_("Your role in this workspace does not allow this."))


def check_publish_everywhere(access: Access, post: Post) -> list[str]:
    """Return the post's networks; PermissionDenied unless the member may publish on each."""
    networks = list(post.variants.values_list("network", flat=True))
    if not networks:
        raise ValidationError(_("This post has no network version yet."))
    refused = [n for n in networks if not access.can(Action.PUBLISH, n)]
    if refused:
        names = ", ".join(network_name(n) for n in refused)
        raise PermissionDenied(
            _("Your role does not allow publishing on %(networks)s.") % {"networks": names}
        )
    return networks


def _check_move(access: Access, post: Post, move: Move) -> None:
    if move.action == Action.PUBLISH:
        check_publish_everywhere(access, post)
    elif not access.can(move.action):
        raise _deny()


def current_round(post: Post) -> int:
    """Return the review round: how many times the post was sent for review (at least 1)."""
    return max(1, post.transitions.filter(to_state=S.IN_REVIEW).count())


def post_url(post: Post) -> str:
    return reverse("post-workflow", args=[post.workspace.slug, post.pk])


def _move(
    access: Access | None,
    post: Post,
    to_state: str,
    reason: str = "",
    client_name: str = "",
    before: dict | None = None,
) -> Transition:
    """Change the state, record the Transition and the audit event, notify. No checks.

    `before` is the post's snapshot when the caller changed other fields first.
    """
    before = before or snapshot(post)
    from_state = post.state
    post.state = to_state
    post.save(update_fields=["state", "updated_at"])
    if from_state == S.SCHEDULED:
        # Imported here: the publishing app builds on editorial, not the reverse.
        from tribune.publishing.targets import cancel_targets

        cancel_targets(post)
    step = Transition.objects.create(
        post=post,
        from_state=from_state,
        to_state=to_state,
        actor=access.user if access else None,
        client_name=client_name,
        reason=reason,
    )
    after = snapshot(post) | {"reason": reason, "client_name": client_name}
    record(access, post.workspace, "transition", post, before, after)
    _notify_move(access, post, from_state, to_state, reason, client_name)
    return step


def _notify_move(
    access: Access | None,
    post: Post,
    from_state: str,
    to_state: str,
    reason: str,
    client_name: str,
) -> None:
    actor = access.user if access else None
    who = client_name or (actor.username if actor else "")
    params = {"who": who, "title": post.title, "reason": reason}
    author = [post.author] if post.author_id and post.author != actor else []
    if to_state == S.IN_REVIEW:
        reviewers = [u for u in approvals.reviewers(post) if u != actor]
        text = lazy_text(gettext_lazy("%(who)s asks for a review of “%(title)s”."), params)
        notify(post.workspace, reviewers, "review_requested", text, post_url(post))
    elif to_state == S.CHANGES_REQUESTED:
        text = lazy_text(
            gettext_lazy("%(who)s requested changes to “%(title)s”: %(reason)s"), params
        )
        notify(post.workspace, author, "changes_requested", text, post_url(post))
    elif to_state == S.APPROVED and from_state == S.IN_REVIEW:
        text = lazy_text(gettext_lazy("“%(title)s” is approved."), params)
        notify(post.workspace, author, "approved", text, post_url(post))


def available_moves(access: Access, post: Post) -> list[tuple[str, str]]:
    """Return (to_state, label) for the plain moves this member may make now."""
    found = []
    for (start, end), move in MOVES.items():
        if start != post.state:
            continue
        if move.action == Action.PUBLISH:
            networks = [v.network for v in post.variants.all()]
            if not networks or not all(access.can(Action.PUBLISH, n) for n in networks):
                continue
        elif not access.can(move.action):
            continue
        found.append((end, str(move.label)))
    return found


@transaction.atomic
def do_transition(access: Access, post: Post, to_state: str, reason: str = "") -> Post:
    """Move `post` to `to_state`; return the post as saved.

    Approving goes through the approval policies (the post may stay in review
    until every policy is satisfied); scheduling uses the post's time.
    Raises PermissionDenied for a role that may not make the move and
    ValidationError for a move the state machine does not allow, a missing
    reason, or a rule that blocks approval or scheduling.
    """
    post = _lock(access, post)
    reason = reason.strip()
    if post.state == S.IN_REVIEW and to_state == S.APPROVED:
        return do_approve(access, post, note=reason)
    if post.state == S.APPROVED and to_state == S.SCHEDULED:
        if post.scheduled_at is None:
            raise ValidationError(_("Choose a publication time first."))
        do_schedule(access, post, post.scheduled_at)
        post.refresh_from_db()
        return post
    move = MOVES.get((post.state, to_state))
    if move is None:
        raise ValidationError(
            _("A post cannot go from “%(start)s” to “%(end)s”.")
            % {"start": S(post.state).label, "end": _label(to_state)}
        )
    _check_move(access, post, move)
    if move.reason_required and not reason:
        raise ValidationError({"reason": _("Say what should change.")})
    _move(access, post, to_state, reason)
    return post


def _label(state: str) -> str:
    return str(S(state).label) if state in S.values else state


@transaction.atomic
def do_approve(access: Access, post: Post, note: str = "") -> Post:
    """Record the member's approval; the post becomes approved once every policy is met.

    Returns the post (still in review when more approvals are needed).
    Raises PermissionDenied when the member may not approve this post (their
    role, or their own post without a policy allowing it) and ValidationError
    when the post is not in review, was already approved by them in this round,
    or a network version breaks a network rule.
    """
    post = _lock(access, post)
    if post.state != S.IN_REVIEW:
        raise ValidationError(_("Only a post in review can be approved."))
    policies = approvals.applicable_policies(post)
    if not approvals.may_approve(access.membership, post, policies):
        raise _deny()
    if post.author_id == access.user.pk and not approvals.self_approval_allowed(policies):
        raise PermissionDenied(_("You cannot approve your own post."))
    check_variants(post)
    round_ = current_round(post)
    if Approval.objects.filter(post=post, approver=access.user, round=round_).exists():
        raise ValidationError(_("You have already approved this post."))
    approval = Approval.objects.create(post=post, approver=access.user, note=note, round=round_)
    record(access, post.workspace, "approve", post, after={"round": round_, "note": note})
    return _after_approval(access, post, approval, policies, access.user.username)


def _after_approval(
    access: Access | None, post: Post, approval: Approval, policies: list, who: str
) -> Post:
    """Move to approved when every policy is met; else tell the author what is missing."""
    missing = approvals.unmet(post, policies, approval.round)
    if not missing:
        _move(access, post, S.APPROVED, approval.note, client_name=approval.client_name)
        return post
    if post.author_id and post.author_id != getattr(approval.approver, "pk", None):
        params = {"who": who, "title": post.title, "missing": "; ".join(missing)}
        text = lazy_text(
            gettext_lazy("%(who)s approved “%(title)s”. Still needed: %(missing)s"), params
        )
        notify(post.workspace, [post.author], "approval", text, post_url(post))
    return post


def check_variants(post: Post) -> None:
    """Raise ValidationError listing every network rule a version of the post breaks."""
    errors = variant_problems(post)
    if errors:
        raise ValidationError(errors)


def variant_problems(post: Post) -> list[str]:
    """Return one message per broken network rule, prefixed with the network's name."""
    from .rules import check_variant  # engineer A's table of network rules

    messages = []
    for variant in post.variants.order_by("network"):
        # check_variant loads the attachments itself, with each one's alt text
        # for this network (a per-network alt text overrides the asset's own).
        for problem in check_variant(variant):
            messages.append(f"{network_name(variant.network)}: {problem.message}")
    return messages


@transaction.atomic
def do_schedule(access: Access, post: Post, when: datetime) -> list:
    """Schedule an approved post at `when` (aware); return the non-blocking findings.

    Raises PermissionDenied unless the member may publish on every network of
    the post, and ValidationError when the post is not approved, the time is
    past, a network version breaks a rule, or a calendar check blocks.
    """
    from .checks import check_scheduling  # engineer D's calendar checks

    post = _lock(access, post)
    check_publish_everywhere(access, post)
    if post.state not in (S.APPROVED, S.SCHEDULED):
        raise ValidationError(_("Only an approved post can be scheduled."))
    if timezone.is_naive(when):
        raise ValueError("do_schedule needs an aware datetime")
    if when <= timezone.now():
        raise ValidationError(_("Choose a publication time in the future."))
    check_variants(post)
    blocking, warnings = check_scheduling(post, when)
    if blocking:
        raise ValidationError([f"{f.message} {f.fix}".strip() for f in blocking])
    before = snapshot(post)
    post.scheduled_at = when
    post.save(update_fields=["scheduled_at", "updated_at"])
    if post.state == S.APPROVED:
        _move(access, post, S.SCHEDULED, before=before)
    else:
        record(access, post.workspace, "reschedule", post, before, snapshot(post))
    from tribune.publishing.targets import plan_targets

    return list(warnings) + plan_targets(post)


@transaction.atomic
def do_reopen_after_edit(access: Access, post: Post) -> Post:
    """Send an approved or scheduled post back to draft after its content changed.

    The post composer calls this in the transaction that saves the edit; a
    post in any other state is left as it is. Returns the post.
    """
    post = _lock(access, post)
    if post.state in (S.APPROVED, S.SCHEDULED):
        _move(access, post, S.DRAFT, _("The content was edited after approval."))
    return post


def client_decision(post: Post, client_name: str, approve: bool, reason: str) -> Post:
    """Apply a client's decision from a preview link (the caller holds the lock)."""
    if post.state != S.IN_REVIEW:
        raise ValidationError(_("This post is not waiting for a review any more."))
    if not approve:
        if not reason:
            raise ValidationError({"reason": _("Say what should change.")})
        _move(None, post, S.CHANGES_REQUESTED, reason, client_name=client_name)
        return post
    check_variants(post)
    round_ = current_round(post)
    approval = Approval.objects.create(
        post=post, client_name=client_name, note=reason, round=round_
    )
    record(None, post.workspace, "client_approve", post, after={"client_name": client_name})
    policies = approvals.applicable_policies(post)
    return _after_approval(None, post, approval, policies, client_name)
