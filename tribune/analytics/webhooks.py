"""The signed webhook that pushes business figures: POST /hooks/indicators/<workspace slug>/.

No session and no token: the signature proves the sender holds the
workspace's webhook secret (docs/analytics.md, "Business indicators", shows
how to sign with curl and openssl). Every refusal is a problem-details body;
an unknown workspace is refused like a wrong signature, so the webhook does
not tell strangers which workspaces exist.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tribune.core.problems import Problem, problem_response
from tribune.workspaces.models import Workspace

from .actions_indicators import do_webhook

SIGNATURE_HEADER = "X-Tribune-Signature"
TIMESTAMP_HEADER = "X-Tribune-Timestamp"


@csrf_exempt  # signed with the workspace's secret instead; no browser session is involved
def receive_figures(request: HttpRequest, slug: str) -> HttpResponse:
    """Store the figures of a signed request; answer the counts or a problem."""
    if request.method != "POST":
        return problem_response(
            request, 405, _("This method is not allowed here."), headers={"Allow": "POST"}
        )
    try:
        body = request.body
    except RequestDataTooBig:
        return problem_response(request, 413, _("The request body is too large."))
    workspace = Workspace.objects.filter(slug=slug).first()
    try:
        counts = do_webhook(
            workspace,
            body,
            request.headers.get(SIGNATURE_HEADER),
            request.headers.get(TIMESTAMP_HEADER),
        )
    except Problem as problem:
        return problem_response(
            request, problem.status, problem.detail, problem.errors, problem.headers
        )
    return JsonResponse(counts)
