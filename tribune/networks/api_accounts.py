"""API of the Accounts area, under /api/v1/workspaces/{slug}/accounts.

Connecting needs a person at the network's sign-in page or a form with
secrets, so it stays on the pages; the API lists accounts with their health,
checks one, and disconnects one. No schema here has a secret field: the
token, refresh token and other secrets never leave the server.
"""

# No `from __future__ import annotations`: ninja reads the annotations at import time.
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from tribune.core.api_input import ObjectIdPath, Page, SlugPath
from tribune.core.problems import ERRORS, READ_ERRORS, Problem, ProblemSchema
from tribune.workspaces.actions import access_workspace

from .actions_accounts import access_account, accounts_of, do_check, do_disconnect
from .models import Account

router = Router(tags=["accounts"])


class AccountOut(Schema):
    """An account as the API shows it: who, where, and its health; never a secret."""

    id: int
    network: str
    mode: str
    name: str
    handle: str
    profile_url: str
    base_url: str
    status: str
    status_message: str
    token_expires_at: datetime | None
    checked_at: datetime | None
    created_at: datetime


class CheckOut(Schema):
    account: AccountOut
    message: str


@router.get("/workspaces/{slug}/accounts", response={200: list[AccountOut], **READ_ERRORS})
@paginate(Page)
def list_accounts(request: HttpRequest, slug: SlugPath) -> QuerySet[Account]:
    """The workspace's accounts by network and name, with their health (every member)."""
    return accounts_of(access_workspace(request.auth, slug))


@router.post(
    "/workspaces/{slug}/accounts/{account_id}/check",
    response={200: CheckOut, 503: ProblemSchema, **ERRORS},
)
def check_account(request: HttpRequest, slug: SlugPath, account_id: ObjectIdPath) -> Any:
    """Verify the account with its network now. 503 when the network could not be reached
    (nothing changed); a refused token comes back as status "reconnect"."""
    access = access_workspace(request.auth, slug)
    account = access_account(access, account_id, manage=True)
    try:
        outcome = do_check(access, account)
    except ValidationError as refused:  # a disconnected account
        raise Problem(409, " ".join(refused.messages)) from None
    if not outcome.reached:
        raise Problem(503, outcome.message, headers={"Retry-After": "60"})
    return {"account": outcome.account, "message": outcome.message}


@router.delete("/workspaces/{slug}/accounts/{account_id}", response={204: None, **ERRORS})
def disconnect_account(request: HttpRequest, slug: SlugPath, account_id: ObjectIdPath) -> Any:
    """Disconnect the account: its secrets are wiped, its history stays."""
    access = access_workspace(request.auth, slug)
    do_disconnect(access, access_account(access, account_id, manage=True))
    return Status(204, None)
