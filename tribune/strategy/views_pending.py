"""Temporary: pages being built in parallel. Replaced before the issue closes."""

from django.http import HttpResponse

from tribune.workspaces.decorators import workspace_view


@workspace_view()
def pending(request, access, **kwargs):
    return HttpResponse("pending")
