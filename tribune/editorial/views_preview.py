"""The public preview a client opens from a link: no account, read-only, and a
choice to approve or to request changes, recorded under the name they give."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tribune.strategy.catalog import network_name

from . import actions_workflow
from .choices import PostState
from .forms_workflow import ClientDecisionForm


@never_cache
def preview(request, token: str):
    """The client's page, in the workspace's language unless the visitor chose one."""
    link = actions_workflow.find_preview_link(token)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    languages = dict(settings.LANGUAGES)
    with translation.override(chosen if chosen in languages else link.post.workspace.language):
        return _preview(request, token, link)


def _preview(request, token: str, link):
    post = link.post
    form = ClientDecisionForm(request.POST or None, initial={"client_name": link.client_name})
    if request.method == "POST" and form.is_valid():
        approve = "approve" in request.POST
        try:
            actions_workflow.do_client_decision(
                token, form.cleaned_data["client_name"], approve, form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            if approve:
                messages.success(request, _("Thank you: your approval is recorded."))
            else:
                messages.success(request, _("Thank you: your request for changes is recorded."))
            return redirect("preview", token)
    variants = [
        {"name": network_name(v.network), "variant": v, "media": list(v.media.all())}
        for v in post.variants.prefetch_related("media")
    ]
    response = render(
        request,
        "editorial/preview.html",
        {
            "post": post,
            "link": link,
            "variants": variants,
            "state_label": PostState(post.state).label,
            "can_decide": post.state == PostState.IN_REVIEW,
            "form": form,
            "preview_workspace": post.workspace,
        },
    )
    # The page is for one client: never indexed, never cached by a proxy.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
