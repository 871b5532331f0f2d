"""The UTM settings page and the public short-link redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tribune.strategy.models import NetworkChoice
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from .actions import editorial_settings
from .actions_links import do_save_link_settings, follow_short_link
from .forms_links import LinkSettingsForm
from .links import tag_link


@workspace_view(Action.MANAGE_WORKSPACE)
def link_settings(request, access):
    current = editorial_settings(access.workspace)
    # The networks chosen in the strategy; every network of the catalogue when none is.
    chosen = list(
        NetworkChoice.objects.filter(workspace=access.workspace).values_list("network", flat=True)
    )
    form = LinkSettingsForm(request.POST or None, instance=current, networks=chosen)
    if request.method == "POST" and form.is_valid():
        do_save_link_settings(access, **form.link_values())
        messages.success(request, _("Link settings saved."))
        return redirect("link-settings", access.workspace.slug)
    example_network = form.networks[0] if form.networks else "linkedin"
    return render(
        request,
        "editorial/link_settings.html",
        {
            "form": form,
            "example": tag_link("https://example.org/page?ref=1#top", example_network, current),
        },
    )


@require_safe
def short_link(request, code: str):
    """Redirect (302) to the tagged address; a GET counts a click, a HEAD does not."""
    target = follow_short_link(code, count=request.method == "GET")
    response = HttpResponseRedirect(target)
    # Every click must reach Tribune to be counted; search engines need not list it.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
