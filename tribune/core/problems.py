"""Problem details (RFC 9457): the one shape every API error takes.

A problem is a JSON object served as `application/problem+json` with `type`,
`title`, `status`, `detail` and `instance`; validation problems add `errors`,
a list of `{"loc": [...], "msg": ..., "type": ...}`. We use the type
"about:blank", so `title` is the HTTP reason phrase (RFC 9457 section 4.2.1)
and `detail` carries the human, translated explanation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from pydantic import BaseModel

CONTENT_TYPE = "application/problem+json"

# Form error codes that mean "this clashes with something that exists", not "this is malformed".
CONFLICT_CODES = frozenset({"unique", "unique_together", "unique_constraint"})


class ProblemError(BaseModel):
    """Where one input was wrong, and why."""

    loc: list[str | int]
    msg: str
    type: str


class ProblemSchema(BaseModel):
    """The documented body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemError] | None = None


# The `response=` entries API operations add, so the OpenAPI document shows the shape.
READ_ERRORS: dict[int, type[ProblemSchema]] = dict.fromkeys((401, 403, 404, 422), ProblemSchema)
ERRORS: dict[int, type[ProblemSchema]] = {
    **READ_ERRORS,
    **dict.fromkeys((400, 409, 413, 415), ProblemSchema),
}


class Problem(Exception):  # noqa: N818 - the RFC's word, raised like an Http404
    """An error to answer with a problem-details body; API handlers raise it."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers = headers or {}


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    errors: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """Return the problem-details response for `status`, about `request`'s path."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = [
            {"loc": list(e["loc"]), "msg": str(e["msg"]), "type": str(e["type"])} for e in errors
        ]
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def django_errors(
    error: ValidationError, loc: Iterable[str | int] = ("body",)
) -> list[dict[str, Any]]:
    """Flatten a Django ValidationError (dict or list) into problem `errors` entries."""
    prefix = list(loc)
    if hasattr(error, "error_dict"):
        items = error.error_dict.items()
    else:
        items = [(NON_FIELD_ERRORS, error.error_list)]
    result = []
    for field, field_errors in items:
        where = prefix if field == NON_FIELD_ERRORS else [*prefix, field]
        for e in field_errors:
            message = e.message % e.params if e.params else e.message
            result.append({"loc": where, "msg": str(message), "type": e.code or "invalid"})
    return result


def form_problem(form: BaseForm, detail: str) -> Problem:
    """Return the Problem for an invalid form: 409 for a clash with existing data, else 422."""
    errors = django_errors(ValidationError(form.errors.as_data()))
    status = 409 if any(e["type"] in CONFLICT_CODES for e in errors) else 422
    return Problem(status, detail, errors)
