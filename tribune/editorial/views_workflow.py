"""Pages of the approval workflow for one post: state, history, approvals, moves,
scheduling and comments. Writes go through workflow.py and actions_workflow.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.strategy.catalog import network_name
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions_workflow, approvals, workflow
from .actions import access_post
from .choices import PostState
from .forms_workflow import CommentForm, PreviewLinkForm, ScheduleForm, TransitionForm
from .models import Approval, PostComment, PreviewLink


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _comments_context(access, post, form: CommentForm | None = None) -> dict:
    comments = PostComment.objects.filter(post=post).select_related("author")
    return {
        "post": post,
        "comments": comments,
        "comment_form": form or CommentForm(),
        "can_comment": access.can(Action.WRITE_POSTS) or access.can(Action.APPROVE_POSTS),
    }


@workspace_view()
def post_workflow(request, access, post_id: int):
    post = access_post(access, post_id)
    variants = list(post.variants.all())
    policies = approvals.applicable_policies(post)
    round_ = workflow.current_round(post)
    moves = workflow.available_moves(access, post)
    in_review = post.state == PostState.IN_REVIEW
    can_approve = in_review and approvals.may_approve(access.membership, post, policies)
    networks = [v.network for v in variants]
    can_schedule = (
        post.state in (PostState.APPROVED, PostState.SCHEDULED)
        and bool(networks)
        and all(access.can(Action.PUBLISH, n) for n in networks)
    )
    when = timezone.localtime(post.scheduled_at) if post.scheduled_at else None
    context = {
        "post": post,
        "state_label": PostState(post.state).label,
        "networks": [network_name(n) for n in networks],
        "transitions": post.transitions.select_related("actor"),
        "approvals": Approval.objects.filter(post=post, round=round_).select_related("approver"),
        "missing": approvals.unmet(post, policies, round_) if in_review else [],
        "policies": [p for p in policies if p.pk],
        "moves": [(to, label) for to, label in moves],
        "can_approve": can_approve,
        "can_schedule": can_schedule,
        "schedule_form": ScheduleForm(initial={"when": when}),
        "reason_form": TransitionForm(),
        "can_share": access.can(Action.WRITE_POSTS),
        "preview_links": PreviewLink.objects.filter(post=post).order_by("-created_at"),
        "preview_form": PreviewLinkForm(),
        **_comments_context(access, post),
    }
    template = "editorial/workflow_panel.html" if request.htmx else "editorial/workflow_post.html"
    return render(request, template, context)


@require_POST
@workspace_view()
def post_transition(request, access, post_id: int):
    post = access_post(access, post_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the post."))
    else:
        to_state = form.cleaned_data["to_state"]
        try:
            post = workflow.do_transition(access, post, to_state, form.cleaned_data["reason"])
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        else:
            if to_state == PostState.APPROVED and post.state == PostState.IN_REVIEW:
                messages.success(request, _("Your approval is recorded; more are needed."))
            else:
                label = PostState(post.state).label
                messages.success(request, _("The post is now “%(state)s”.") % {"state": label})
    return redirect("post-workflow", access.workspace.slug, post_id)


@require_POST
@workspace_view()
def post_schedule(request, access, post_id: int):
    post = access_post(access, post_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("when", []):
            messages.error(request, message)
        return redirect("post-workflow", access.workspace.slug, post_id)
    try:
        warnings = workflow.do_schedule(access, post, form.cleaned_data["when"])
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The post is scheduled."))
        for finding in warnings:
            messages.warning(request, f"{finding.message} {finding.fix}".strip())
    return redirect("post-workflow", access.workspace.slug, post_id)


@workspace_view()
def post_comments(request, access, post_id: int):
    """The comment thread; GET is an htmx partial, POST adds a comment."""
    post = access_post(access, post_id)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        actions_workflow.check_comment(access)
        if form.is_valid():
            try:
                actions_workflow.do_add_comment(access, post, form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error("body", error)
            else:
                if not request.htmx:
                    messages.success(request, _("Comment added."))
                    return redirect("post-workflow", access.workspace.slug, post_id)
                form = CommentForm()
    return render(
        request, "editorial/workflow_comments.html", _comments_context(access, post, form)
    )


@require_POST
@workspace_view(Action.WRITE_POSTS)
def preview_link_create(request, access, post_id: int):
    post = access_post(access, post_id)
    form = PreviewLinkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("post-workflow", access.workspace.slug, post_id)
    link, token = actions_workflow.do_create_preview_link(
        access, post, form.cleaned_data["client_name"], form.cleaned_data["days"]
    )
    # Rendered, not redirected: the clear token exists only in this response.
    url = request.build_absolute_uri(reverse("preview", args=[token]))
    return render(
        request, "editorial/preview_link_created.html", {"post": post, "link": link, "url": url}
    )


@require_POST
@workspace_view(Action.WRITE_POSTS)
def preview_link_revoke(request, access, post_id: int, link_id: int):
    post = access_post(access, post_id)
    actions_workflow.do_revoke_preview_link(access, post, link_id)
    messages.success(request, _("The preview link no longer works."))
    return redirect("post-workflow", access.workspace.slug, post_id)
