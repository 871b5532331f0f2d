"""The member's notifications in a workspace, and approval policies (owners)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions_workflow, approvals
from .forms_workflow import ApprovalPolicyForm
from .models import ApprovalPolicy, Notification
from .notifications import do_mark_read


@workspace_view()
def notification_list(request, access):
    mine = Notification.objects.filter(recipient=request.user, workspace=access.workspace)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    unread = mine.filter(read_at__isnull=True).count()
    return render(request, "editorial/notifications.html", {"page": page, "unread": unread})


@require_POST
@workspace_view()
def notification_read(request, access, notification_id: int | None = None):
    do_mark_read(request.user, access.workspace, notification_id)
    target = request.POST.get("next", "")
    if notification_id is not None and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    messages.success(request, _("Marked as read."))
    return redirect("notifications", access.workspace.slug)


@workspace_view(Action.MANAGE_WORKSPACE)
def policy_list(request, access):
    policies = ApprovalPolicy.objects.filter(workspace=access.workspace).select_related(
        "required_member__user"
    )
    rows = [(p, approvals.required_label(p)) for p in policies]
    return render(request, "editorial/workflow_policy_list.html", {"rows": rows})


@workspace_view(Action.MANAGE_WORKSPACE)
def policy_edit(request, access, policy_id: int | None = None):
    policy = actions_workflow.access_policy(access, policy_id) if policy_id else None
    form = ApprovalPolicyForm(request.POST or None, instance=policy, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        actions_workflow.do_save_policy(access, form)
        messages.success(request, _("Approval policy saved."))
        return redirect("approval-policies", access.workspace.slug)
    return render(request, "editorial/workflow_policy_form.html", {"form": form, "policy": policy})


@require_POST
@workspace_view(Action.MANAGE_WORKSPACE)
def policy_delete(request, access, policy_id: int):
    actions_workflow.do_delete_policy(access, policy_id)
    messages.success(request, _("Approval policy deleted."))
    return redirect("approval-policies", access.workspace.slug)
