"""The REST API at /api/v1/: authentication, the JSON parser and the error handlers.

Endpoints live in each app's api module; permission checks and writes go
through the apps' actions, exactly as the pages do. Every error, including
404 for unknown paths and 405, is a problem-details body (tribune.core.problems).
OpenAPI document: /api/v1/openapi.json; interactive docs: /api/v1/docs.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from tribune.core.problems import CONTENT_TYPE, Problem, django_errors, problem_response
from tribune.editorial.api import router as editorial_router
from tribune.networks.api_accounts import router as accounts_router
from tribune.strategy.api import router as strategy_router
from tribune.strategy.api_networks import router as networks_router
from tribune.workspaces.actions import authenticate_api_token
from tribune.workspaces.api import router as workspaces_router
from tribune.workspaces.models import User

logger = logging.getLogger(__name__)

# Tokens we issue are "trb_" + 43 characters; anything far longer is not one of ours.
MAX_TOKEN_LENGTH = 200


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <personal access token>`, created on the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        user = authenticate_api_token(token)
        if user is not None and user.language:
            # The session middleware could not know this user: speak their language now.
            translation.activate(user.language)
        return user


class BrowserSession(SessionAuth):
    """The signed-in browser session, so the pages can call the API (CSRF-checked)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing to protect from CSRF:
        # answer 401 like any other unauthenticated call, not a CSRF 403.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class UnsupportedMediaType(Exception):  # noqa: N818 - named after the HTTP status
    pass


class JsonParser(Parser):
    """JSON bodies only: another media type is a 415, a body over the limit a 413."""

    def parse_body(self, request: HttpRequest) -> Any:
        media_type = (request.content_type or "").lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise UnsupportedMediaType(media_type)
        return json.loads(request.body)


class TribuneAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids ("list_personas") for generated clients.
        return operation.view_func.__name__

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # ninja documents every response as application/json; errors are problem+json.
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).startswith("4") and "application/json" in content:
                        response["content"] = {CONTENT_TYPE: content["application/json"]}
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _problems_outside_operations(pattern.callback)
        # Unknown paths under /api/v1/ get a problem too, not the HTML 404 page.
        urls.append(re_path(r"^.*$", _unknown_path))
        return urls


def _problems_outside_operations(view: Callable) -> Callable:
    """Turn ninja's plain 405 and the API root's Http404 into problem details."""

    @functools.wraps(view)  # keeps csrf_exempt, which ninja sets on its views
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return problem_response(request, 404, _("Not found."))
        if isinstance(response, HttpResponseNotAllowed):
            return problem_response(
                request,
                405,
                _("This method is not allowed here."),
                headers={"Allow": response["Allow"]},
            )
        return response

    return wrapper


@csrf_exempt
def _unknown_path(request: HttpRequest) -> HttpResponse:
    return problem_response(request, 404, _("Not found."))


api = TribuneAPI(
    title="Tribune",
    version="1",
    description="Personas, objectives, networks and speaking policies of your workspaces.",
    urls_namespace="api-v1",
    auth=[TokenAuth(), BrowserSession()],
    parser=JsonParser(),
)
api.add_router("", workspaces_router)
api.add_router("", strategy_router)
api.add_router("", networks_router)
api.add_router("", editorial_router)
api.add_router("", "tribune.publishing.api.router")
api.add_router("", accounts_router)
api.add_router("", "tribune.analytics.api_indicators.router")


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(request, exc.status, exc.detail, exc.errors, exc.headers)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if len(loc) > 1 and loc[0] == "body" and loc[1] == "payload":
            del loc[1]  # the handler's parameter name means nothing to a client
        errors.append({"loc": loc, "msg": error.get("msg", ""), "type": error.get("type", "")})
    return problem_response(request, 422, _("The request has invalid values."), errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        401,
        _("Send a valid personal access token: Authorization: Bearer <token>."),
        headers={"WWW-Authenticate": 'Bearer realm="tribune"'},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps every body-parsing failure in HttpError(400); the cause tells them apart.
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaType):
        return problem_response(request, 415, _("Send the request body as application/json."))
    if exc.status_code == 400 and cause is not None:
        return problem_response(request, 400, _("The request body is not valid JSON."))
    if exc.status_code == 403 and exc.message.startswith("CSRF"):
        return problem_response(request, 403, _("CSRF check failed."))
    return problem_response(request, exc.status_code, exc.message)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response(request, 413, _("The request body is too large."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    detail = str(exc) or _("Your role in this workspace does not allow this.")
    return problem_response(request, 403, detail)


@api.exception_handler(ValidationError)
def _rule_broken(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Raised by actions: a keyed error names a bad input (422); a bare one says the
    # change clashes with the workspace's current state, like removing the last owner (409).
    if hasattr(exc, "error_dict"):
        return problem_response(
            request, 422, _("The request has invalid values."), django_errors(exc)
        )
    return problem_response(request, 409, " ".join(exc.messages))


@api.exception_handler(IntegrityError)
def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Forms check uniqueness first; this covers two requests racing past that check.
    return problem_response(request, 409, _("This conflicts with existing data."))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return problem_response(request, 500, _("Something went wrong on our side."))
