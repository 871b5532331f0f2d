"""The Accounts pages: the list with each account's health, connecting (a credentials form,
or the network's OAuth2 sign-in), reminders, checks and disconnecting.

Every member sees the list; the buttons that change an account show only to
those who may (actions_accounts.can_manage_accounts), and the actions check again.
The OAuth2 flow's pending state lives in the session, which is server-side
(Django's database sessions: the cookie holds only the session key).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from tribune.core.crypto import CredentialsUnreadable, decrypt, encrypt
from tribune.strategy.catalog import network_name, network_options
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.decorators import workspace_view

from . import clients
from .actions_accounts import (
    access_account,
    accounts_of,
    can_manage_accounts,
    check_manage_accounts,
    do_check,
    do_connect_reminder,
    do_connect_with_credentials,
    do_connect_with_grant,
    do_disconnect,
    normalise_address,
    oauth_client,
    refusal_message,
)
from .base import AccountCredentials, AuthKind, Connector
from .errors import ConnectorError
from .forms_accounts import CredentialForm, ReminderForm
from .models import EXPIRY_WARNING, REFRESH_AHEAD, Account, AccountMode, AccountStatus
from .oauth import authorize_url, exchange_code, new_pkce, new_state
from .registry import CONNECTORS, connector_class

log = logging.getLogger(__name__)

# ---- the list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    """What the list says about one account: a status word, its tone, and what to do."""

    label: str
    tone: str  # "ok", "warn" or "closed": a CSS class; the label always says it in words
    expiry: str = ""
    advice: str = ""
    reconnect: bool = False


def health(account: Account, now: datetime) -> Health:
    """Describe an account's health (no secret read: the list defers them)."""
    if account.status == AccountStatus.DISCONNECTED:
        return Health(_("Disconnected"), "closed", advice=_("Connect it again to publish with it."))
    if account.status == AccountStatus.RECONNECT:
        return Health(
            _("Needs reconnecting"),
            "closed",
            advice=_("Posts cannot go out through this account until it is reconnected."),
            reconnect=True,
        )
    if account.mode == AccountMode.REMINDER:
        return Health(_("Reminders"), "ok", advice=_("A person posts by hand when reminded."))
    expires = account.token_expires_at
    if expires is None:
        return Health(_("Connected"), "ok")
    left = expires - now
    if left.total_seconds() <= 0:
        return Health(
            _("Expired"),
            "closed",
            expiry=_("The connection expired."),
            advice=_("Reconnect the account to publish with it again."),
            reconnect=True,
        )
    if left >= EXPIRY_WARNING:
        return Health(_("Connected"), "ok")
    days = left.days
    expiry = (
        ngettext("Expires in %(days)d day.", "Expires in %(days)d days.", days) % {"days": days}
        if days >= 1
        else _("Expires in less than a day.")
    )
    # Past REFRESH_AHEAD the worker has tried to renew it; "warned_for" says it could not.
    stuck = left < REFRESH_AHEAD or bool((account.settings or {}).get("warned_for"))
    advice = (
        _("Tribune cannot renew it by itself: reconnect the account before then.")
        if stuck
        else _("Tribune renews it by itself when the network allows it.")
    )
    return Health(_("Expires soon"), "warn", expiry=expiry, advice=advice, reconnect=stuck)


def _card(access, account: Account, now: datetime) -> dict:
    return {
        "account": account,
        "health": health(account, now),
        "can_manage": can_manage_accounts(access, account.network),
    }


@require_safe
@workspace_view()
def account_list(request, access):
    now = timezone.now()
    groups: dict[str, list[dict]] = {}
    for account in accounts_of(access):
        groups.setdefault(account.network, []).append(_card(access, account, now))
    ordered = sorted(groups.items(), key=lambda item: network_name(item[0]).lower())
    return render(
        request,
        "networks/account_list.html",
        {
            "groups": [(network_name(key), cards) for key, cards in ordered],
            "can_connect": can_manage_accounts(access),
        },
    )


# ---- choosing a network, reminders ---------------------------------------------------------


def _connectors(access) -> list[type[Connector]]:
    """The connectors this member may connect, by label; one that fails to load is left out."""
    found = []
    for key in CONNECTORS:
        if not can_manage_accounts(access, key):
            continue
        try:
            found.append(connector_class(key))
        except ImportError:  # a connector module being written or broken: the rest still work
            log.warning("connector %s could not be loaded", key, exc_info=True)
    return sorted(found, key=lambda c: str(c.label).lower())


def _reminder_form(access, data=None) -> ReminderForm:
    choices = [(k, n) for k, n in network_options() if can_manage_accounts(access, k)]
    return ReminderForm(data, networks=choices)


@require_safe
@workspace_view()
def account_connect(request, access):
    check_manage_accounts(access)
    return render(
        request,
        "networks/account_connect.html",
        {
            # Plain values: a template would try to call a class.
            "connectors": [
                {"key": c.key, "label": str(c.label), "oauth": c.auth == AuthKind.OAUTH2}
                for c in _connectors(access)
            ],
            "form": _reminder_form(access),
        },
    )


@workspace_view()
def account_connect_reminder(request, access):
    check_manage_accounts(access)
    form = _reminder_form(access, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = do_connect_reminder(
                access, data["network"], data["name"], data["profile_url"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s added: Tribune will remind you to post.")
                             % {"name": account.name})  # fmt: skip
            return redirect("account-list", access.workspace.slug)
    return render(request, "networks/account_reminder.html", {"form": form})


# ---- connecting one network ----------------------------------------------------------------


def _connector_or_404(network: str) -> type[Connector]:
    if network not in CONNECTORS:
        raise Http404
    try:
        return connector_class(network)
    except ImportError:
        raise Http404 from None


def _initial(access, request) -> dict:
    """Reconnecting: the account's address and user name, never a secret."""
    account_id = request.GET.get("account", "")
    if not account_id.isdigit():
        return {}
    account = access_account(access, int(account_id))
    return {"base_url": account.base_url, "username": account.username}


@workspace_view()
def account_connect_network(request, access, network: str):
    connector = _connector_or_404(network)
    check_manage_accounts(access, network)
    oauth = connector.auth == AuthKind.OAUTH2
    # OAuth networks ask only for what is not secret (a Mastodon server's address).
    fields = tuple(f for f in connector.credential_fields if not (oauth and f.secret))
    form = CredentialForm(request.POST or None, fields=fields, initial=_initial(access, request))
    if request.method == "POST" and form.is_valid():
        try:
            if oauth:
                return _start_oauth(request, access, connector, form.cleaned_data)
            account = do_connect_with_credentials(access, network, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is connected.") % {"name": account.name})
            return redirect("account-list", access.workspace.slug)
    return render(
        request,
        "networks/account_connect_network.html",
        {"form": form, "label": str(connector.label), "oauth": oauth},
    )


# ---- OAuth2 --------------------------------------------------------------------------------

FLOWS = "tribune.oauth_flows"
FLOW_LIFETIME_S = 600
FLOWS_KEPT = 5


def redirect_uri() -> str:
    """The callback address registered with the network (one for every workspace)."""
    return settings.SITE_URL + reverse("account-oauth-callback")


def _start_oauth(request, access, connector: type[Connector], cleaned: dict):
    """Register Tribune with the server when needed, remember the flow, send the person off.

    The pending flow (state, PKCE verifier, app registration) is kept in the
    server-side session, the client secret encrypted; it is single-use and
    expires after FLOW_LIFETIME_S.
    """
    spec = connector.oauth
    if spec is None:
        raise ValidationError(_("Tribune cannot register itself with this network."))
    base_url = normalise_address(cleaned.get("base_url", "")) if spec.per_instance else ""
    callback = redirect_uri()
    client_id, client_secret = oauth_client(access, connector.key, base_url, callback)
    verifier, challenge = new_pkce()
    state = new_state()
    now = time.time()
    flows = {
        key: flow
        for key, flow in request.session.get(FLOWS, {}).items()
        if now - flow.get("started", 0) < FLOW_LIFETIME_S
    }
    # A few flows may be pending at once (two tabs); the oldest go first.
    oldest_first = sorted(flows, key=lambda k: flows[k]["started"])
    for old in oldest_first[: max(0, len(flows) + 1 - FLOWS_KEPT)]:
        del flows[old]
    flows[state] = {
        "workspace": access.workspace.slug,
        "network": connector.key,
        "base_url": base_url,
        "client_id": client_id,
        "client_secret": encrypt(client_secret),
        "verifier": verifier,
        "started": now,
    }
    request.session[FLOWS] = flows
    return redirect(authorize_url(spec, base_url, client_id, callback, state, challenge))


def _take_flow(request, state: str) -> dict | None:
    """Return the pending flow for `state` and forget it (a state is used once)."""
    flows = dict(request.session.get(FLOWS, {}))
    flow = flows.pop(state, None) if state else None
    if flow is not None:
        request.session[FLOWS] = flows
    return flow


@require_safe
@login_required
def oauth_callback(request):
    """Where the network sends the person back, with `code` and `state` (or `error`)."""
    flow = _take_flow(request, request.GET.get("state", ""))
    if flow is None:
        return render(request, "networks/oauth_error.html", status=400)
    access = access_workspace(request.user, flow["workspace"])
    network = flow["network"]
    connector = _connector_or_404(network)
    check_manage_accounts(access, network)
    start_again = redirect("account-connect-network", access.workspace.slug, network)
    label = str(connector.label)
    if time.time() - flow["started"] > FLOW_LIFETIME_S:
        messages.error(request, _("The sign-in on %(network)s took more than 10 minutes; start "
                                  "again.") % {"network": label})  # fmt: skip
        return start_again
    error = request.GET.get("error", "")
    if error == "access_denied":
        messages.error(request, _("Access was not granted on %(network)s, so nothing was "
                                  "connected.") % {"network": label})  # fmt: skip
        return redirect("account-list", access.workspace.slug)
    code = request.GET.get("code", "")
    if error or not code:
        detail = request.GET.get("error_description", "") or error or _("no code")
        messages.error(request, _("%(network)s did not connect the account: %(detail)s")
                       % {"network": label, "detail": detail[:200]})  # fmt: skip
        return start_again
    try:
        account = _finish_oauth(access, connector, flow, code)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return start_again
    messages.success(request, _("%(name)s is connected.") % {"name": account.name})
    return redirect("account-list", access.workspace.slug)


def _finish_oauth(access, connector: type[Connector], flow: dict, code: str) -> Account:
    """Exchange the code (with the PKCE verifier) and connect the account it grants."""
    try:
        client_secret = decrypt(flow["client_secret"])
    except CredentialsUnreadable:
        raise ValidationError(_("The sign-in could not be completed; start again.")) from None
    http = clients.http_client()
    try:
        grant = exchange_code(
            http, connector.oauth, flow["base_url"], flow["client_id"], client_secret,
            redirect_uri(), code, flow["verifier"],
        )  # fmt: skip
    except ConnectorError as error:
        raise ValidationError(
            refusal_message(connector, AccountCredentials(flow["base_url"]), error)
        ) from None
    finally:
        http.close()
    return do_connect_with_grant(
        access, connector.key, flow["base_url"], grant, flow["client_id"], client_secret,
        redirect_uri(),
    )  # fmt: skip


# ---- check, disconnect ---------------------------------------------------------------------


@require_POST
@workspace_view()
def account_check(request, access, account_id: int):
    account = access_account(access, account_id, manage=True)
    try:
        outcome = do_check(access, account)
    except ValidationError as refused:
        note, level = " ".join(refused.messages), messages.ERROR
    else:
        account = outcome.account
        ok = outcome.reached and account.status == AccountStatus.ACTIVE
        note, level = outcome.message, messages.SUCCESS if ok else messages.ERROR
    if request.htmx:
        context = {**_card(access, account, timezone.now()), "note": note}
        return render(request, "networks/account_card.html", context)
    messages.add_message(request, level, note)
    return redirect("account-list", access.workspace.slug)


@workspace_view()
def account_disconnect(request, access, account_id: int):
    """GET asks for confirmation; POST disconnects."""
    account = access_account(access, account_id, manage=True)
    if request.method == "POST":
        do_disconnect(access, account)
        messages.success(request, _("%(name)s is disconnected.") % {"name": account.name})
        return redirect("account-list", access.workspace.slug)
    return render(request, "networks/account_disconnect.html", {"account": account})
