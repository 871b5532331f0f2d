"""Connecting accounts, checking them and disconnecting them: the rules of the Accounts area.

Who may: connecting, reconnecting, checking and disconnecting an account on a
network needs MANAGE_WORKSPACE (an Owner) or PUBLISH on that network (a
Publisher whose scope covers it). That rule is written once, in
`can_manage_accounts`. Every member may see the accounts: no secret is ever
shown, and lists defer the secret columns.

Talking to the network (verify, register an app, exchange a code) happens
before the write's transaction, never inside it: SQLite transactions here are
IMMEDIATE, so a slow network would otherwise hold the database's write lock.
"""

from __future__ import annotations

import json
import logging
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.core.crypto import CredentialsUnreadable
from tribune.editorial.notifications import lazy_text, notify
from tribune.strategy.catalog import get_network, network_name
from tribune.workspaces.actions import Access, record
from tribune.workspaces.models import Membership
from tribune.workspaces.roles import Action, allows

from . import clients
from .base import AccountCredentials, AccountIdentity, AuthKind, Connector, TokenGrant
from .errors import AuthExpired, ConnectorError, Rejected
from .models import (
    EXPIRY_WARNING,
    REFRESH_AHEAD,
    SECRET_FIELDS,
    Account,
    AccountMode,
    AccountStatus,
)
from .registry import connector_class, has_connector
from .tokens import mark_reconnect, refresh_if_due

log = logging.getLogger(__name__)

# Targets of a CredentialField that are columns of Account rather than entries of `extra`.
COLUMN_TARGETS = ("base_url", "username", "token")


def can_manage_accounts(access: Access, network: str | None = None) -> bool:
    """Whether the member may connect, check or disconnect accounts (on `network`, if given).

    With `network` None: on at least one network (whether to show the Connect button).
    """
    return access.can(Action.MANAGE_WORKSPACE) or access.can(Action.PUBLISH, network)


def check_manage_accounts(access: Access, network: str | None = None) -> None:
    """Raise PermissionDenied unless the member may manage accounts on `network`."""
    if not can_manage_accounts(access, network):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))


def accounts_of(access: Access) -> QuerySet[Account]:
    """The workspace's accounts by network and name, secret columns left unread."""
    return (
        Account.objects.filter(workspace=access.workspace)
        .defer(*SECRET_FIELDS)
        .order_by("network", "name", "pk")
    )


def access_account(access: Access, account_id: int, *, manage: bool = False) -> Account:
    """Return the workspace's account (secrets deferred); Http404 for any other workspace's.

    With `manage`, also raise PermissionDenied unless the member may manage it.
    """
    account = accounts_of(access).filter(pk=account_id).first()
    if account is None:
        raise Http404
    if manage:
        check_manage_accounts(access, account.network)
    return account


def normalise_address(url: str) -> str:
    """Return a server address in one spelling (lower-case scheme and host, no trailing slash,
    no query), so the same server is recognised when an account is reconnected."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


# ---- verifying with the network -----------------------------------------------------------


def verify_with_network(network: str, credentials: AccountCredentials) -> AccountIdentity:
    """Ask the network who these credentials act as.

    Raises ValidationError carrying the network's own message when it refuses
    them, or saying it could not be reached.
    """
    connector_type = connector_class(network)
    connector = connector_type(credentials, clients.http_client())
    try:
        return connector.verify()
    except ConnectorError as error:
        raise ValidationError(refusal_message(connector_type, credentials, error)) from None
    finally:
        connector.http.close()


def refusal_message(
    connector_type: type[Connector], credentials: AccountCredentials, error: ConnectorError
) -> str:
    """Return what to tell a person when the network did not accept a connection."""
    name = str(connector_type.label)
    if isinstance(error, Rejected) and error.status == 404:
        return _("%(network)s found nothing at %(address)s: check the address.") % {
            "network": name,
            "address": credentials.base_url,
        }
    if isinstance(error, AuthExpired | Rejected):
        return _("%(network)s refused these credentials: %(message)s") % {
            "network": name,
            "message": error.message,
        }
    if not error.permanent:
        return _(
            "Tribune could not reach %(network)s at %(address)s. Check the address, "
            "or try again in a few minutes."
        ) % {"network": name, "address": credentials.base_url or name}
    return _("%(network)s could not be connected: %(message)s") % {
        "network": name,
        "message": error.message,
    }


# ---- connecting ---------------------------------------------------------------------------


def do_connect_with_credentials(access: Access, network: str, cleaned: dict) -> Account:
    """Connect (or reconnect) an account from the connect form's values, keyed by the
    connector's credential field targets.

    Verifies the credentials with the network first. Returns the account;
    raises PermissionDenied, or ValidationError when the network refuses them
    or cannot be reached (then nothing is written).
    """
    check_manage_accounts(access, network)
    if not has_connector(network):
        raise ValidationError(_("Tribune has no connection to this network; use a reminder."))
    if connector_class(network).auth == AuthKind.OAUTH2:
        raise ValidationError(_("This network is connected through its own sign-in page."))
    fields = connector_class(network).credential_fields
    values = {f.target: str(cleaned.get(f.target) or "").strip() for f in fields}
    base_url = normalise_address(values.get("base_url", ""))
    others = [f for f in fields if f.target not in COLUMN_TARGETS]
    secrets = {f.target: values[f.target] for f in others if f.secret}
    options = {f.target: values[f.target] for f in others if not f.secret}
    credentials = AccountCredentials(
        base_url=base_url,
        token=values.get("token", ""),
        username=values.get("username", ""),
        extra={**options, **secrets},
    )
    identity = verify_with_network(network, credentials)
    return save_connection(access, network, identity, credentials, secrets=secrets, options=options)


def do_connect_with_grant(
    access: Access,
    network: str,
    base_url: str,
    grant: TokenGrant,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
) -> Account:
    """Connect (or reconnect) an account from the tokens of an OAuth2 code exchange.

    The app registration (client id and secret) is kept with the account: the
    connector needs it to refresh, and the next connection to the same server
    reuses it. A grant without a refresh token keeps a stored one.
    """
    check_manage_accounts(access, network)
    options = {"client_id": client_id, "redirect_uri": redirect_uri}
    secrets = {"client_secret": client_secret} if client_secret else {}
    credentials = AccountCredentials(
        base_url=normalise_address(base_url),
        token=grant.access_token,
        extra={**options, **secrets},
    )
    identity = verify_with_network(network, credentials)
    return save_connection(
        access, network, identity, credentials, secrets=secrets, options=options, grant=grant
    )


def _public_state(account: Account) -> dict:
    """What the audit log records of an account: never a secret."""
    expires = account.token_expires_at
    return {
        "name": account.name,
        "handle": account.handle,
        "base_url": account.base_url,
        "mode": account.mode,
        "status": account.status,
        "token_expires_at": expires.isoformat() if expires else None,
    }


@transaction.atomic
def save_connection(
    access: Access,
    network: str,
    identity: AccountIdentity,
    credentials: AccountCredentials,
    *,
    secrets: dict[str, str],
    options: dict[str, str],
    grant: TokenGrant | None = None,
) -> Account:
    """Create the account, or update the one with the same remote id on the same server (a
    reconnect: new secrets, active again, a stored refresh token kept unless a new one came).

    Audited as "connect" or "reconnect". Credentials must already be verified.
    """
    check_manage_accounts(access, network)
    # Secrets deferred: a row whose old secrets no key can open can still be reconnected.
    account = (
        Account.objects.select_for_update()
        .defer(*SECRET_FIELDS)
        .filter(
            workspace=access.workspace,
            network=network,
            base_url=credentials.base_url,
            remote_id=identity.remote_id,
        )
        .first()
    )
    verb = "reconnect" if account is not None else "connect"
    before = _public_state(account) if account is not None else None
    if account is None:
        account = Account(workspace=access.workspace, network=network, remote_id=identity.remote_id)
        kept_secrets: dict[str, str] = {}
    else:
        kept_secrets = _readable_secrets(account)
    account.mode = AccountMode.API
    account.name = (identity.display_name or identity.handle or network_name(network))[:200]
    account.handle = identity.handle[:200]
    account.profile_url = identity.url[:500]
    account.base_url = credentials.base_url
    account.username = credentials.username
    account.token = credentials.token
    if grant is not None and grant.refresh_token:
        account.refresh_token = grant.refresh_token
    elif account.pk is None:
        account.refresh_token = ""
    account.secrets = json.dumps({**kept_secrets, **secrets}) if (kept_secrets or secrets) else ""
    settings = {k: v for k, v in (account.settings or {}).items() if k != "warned_for"}
    account.settings = {**settings, **options}
    account.token_expires_at = grant.expires_at if grant is not None else None
    account.status = AccountStatus.ACTIVE
    account.status_message = ""
    account.checked_at = timezone.now()
    account.connected_by = access.user
    account.save()
    record(access, access.workspace, verb, account, before, _public_state(account))
    return account


def _readable_secrets(account: Account) -> dict[str, str]:
    try:
        return account.secret_values()
    except (CredentialsUnreadable, ValueError):
        return {}  # a lost key or a damaged value: the new secrets replace them


@transaction.atomic
def do_connect_reminder(access: Access, network: str, name: str, profile_url: str = "") -> Account:
    """Add an account whose posts a person publishes by hand, reminded at the due time.

    For any network of the catalog that is still open, with or without an API.
    """
    check_manage_accounts(access, network)
    found = get_network(network)
    if found is None or not found.is_alive:
        raise ValidationError({"network": _("Choose an open network from the list.")})
    account = Account.objects.create(
        workspace=access.workspace,
        network=network,
        mode=AccountMode.REMINDER,
        name=name.strip()[:200],
        profile_url=profile_url.strip()[:500],
        status=AccountStatus.ACTIVE,
        connected_by=access.user,
    )
    record(access, access.workspace, "connect", account, None, _public_state(account))
    return account


@transaction.atomic
def do_disconnect(access: Access, account: Account) -> Account:
    """Stop using an account: its secrets are wiped, its history stays."""
    check_manage_accounts(access, account.network)
    found = (
        Account.objects.select_for_update()
        .defer(*SECRET_FIELDS)
        .filter(pk=account.pk, workspace=access.workspace)
        .first()
    )
    if found is None:
        raise Http404
    before = _public_state(found)
    found.token = found.refresh_token = found.secrets = ""
    found.token_expires_at = None
    found.status = AccountStatus.DISCONNECTED
    found.status_message = ""
    found.save()
    record(access, access.workspace, "disconnect", found, before, _public_state(found))
    return found


# ---- checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOutcome:
    """What a check found: `reached` is False when the network could not be asked."""

    account: Account
    reached: bool
    message: str


def do_check(access: Access, account: Account) -> CheckOutcome:
    """Verify the account with its network now; record the answer on the account.

    A refused token marks it "needs reconnecting"; an unreachable network changes
    nothing. Refreshes a token that is due first. Audited when the status changes.
    """
    check_manage_accounts(access, account.network)
    if account.status == AccountStatus.DISCONNECTED:
        raise ValidationError(_("This account is disconnected: connect it again to use it."))
    if account.mode != AccountMode.API or not has_connector(account.network):
        return CheckOutcome(account, True, _("Posts for this account are published by hand."))
    try:
        full = Account.objects.get(pk=account.pk)
        was = full.status
        full = refresh_if_due(full)
    except CredentialsUnreadable:
        message = _("Its stored credentials can no longer be read: reconnect it.")
        return _after_check(access, account, AccountStatus.RECONNECT, message)
    if was == AccountStatus.ACTIVE and full.status == AccountStatus.RECONNECT:
        # The refresh was refused: the token module already marked it.
        return _after_check(access, account, AccountStatus.RECONNECT, full.status_message)
    connector_type = connector_class(full.network)
    connector = clients.connector_for(full)
    try:
        connector.verify()
    except (AuthExpired, Rejected) as refused:
        return _after_check(access, account, AccountStatus.RECONNECT, refused.message)
    except ConnectorError as error:
        if error.permanent:
            return _after_check(access, account, AccountStatus.RECONNECT, error.message)
        message = refusal_message(connector_type, full.credentials(), error)
        return CheckOutcome(account, False, message)
    finally:
        connector.http.close()
    return _after_check(access, account, AccountStatus.ACTIVE, "")


@transaction.atomic
def _after_check(access: Access, account: Account, status: str, message: str) -> CheckOutcome:
    found = Account.objects.select_for_update().defer(*SECRET_FIELDS).get(pk=account.pk)
    if found.status == AccountStatus.DISCONNECTED:  # disconnected while the check ran
        return CheckOutcome(found, True, "")
    before = _public_state(found)
    found.status = status
    found.status_message = message[:1000]
    found.checked_at = timezone.now()
    found.save(update_fields=["status", "status_message", "checked_at"])
    if before["status"] != status:
        record(access, access.workspace, "update", found, before, _public_state(found))
    if status == AccountStatus.ACTIVE:
        return CheckOutcome(found, True, _("The network accepted the account's credentials."))
    return CheckOutcome(found, True, message)


# ---- OAuth2 app registration --------------------------------------------------------------

APP_NAME = "Tribune"


def oauth_client(access: Access, network: str, base_url: str, redirect_uri: str) -> tuple[str, str]:
    """Return (client_id, client_secret) of Tribune's app on the network's server.

    An app already registered for an account of this workspace on the same
    server, with the same redirect address, is reused; otherwise one is
    registered now (the connector's `register_app`). Raises ValidationError when
    the server refuses or cannot be reached.
    """
    check_manage_accounts(access, network)
    connector_type = connector_class(network)
    base = normalise_address(base_url)
    known = (
        Account.objects.filter(workspace=access.workspace, network=network, base_url=base)
        .filter(settings__has_key="client_id")
        .exclude(status=AccountStatus.DISCONNECTED)
        .only("pk", "settings")
    )
    for account in known:
        if account.settings.get("redirect_uri") != redirect_uri:
            continue
        secret = _readable_secrets(account).get("client_secret")
        if secret:
            return str(account.settings["client_id"]), secret
    register = getattr(connector_type, "register_app", None)
    if register is None:
        raise ValidationError(_("Tribune cannot register itself with this network."))
    http = clients.http_client()
    try:
        return register(http, base, redirect_uri, APP_NAME, django_settings.SITE_URL)
    except ConnectorError as error:
        if isinstance(error, AuthExpired | Rejected) and error.status != 404:
            raise ValidationError(
                _("The server at %(address)s refused to register Tribune: %(message)s")
                % {"address": base, "message": error.message}
            ) from None
        raise ValidationError(
            refusal_message(connector_type, AccountCredentials(base), error)
        ) from None
    finally:
        http.close()


# ---- token health (the worker, hourly) ----------------------------------------------------

EXPIRY_MESSAGE = gettext_lazy(
    "The connection of %(account)s (%(network)s) expires on %(date)s and Tribune cannot renew "
    "it by itself: reconnect the account before then."
)


def refresh_due_tokens(now: datetime | None = None) -> int:
    """Refresh every active account's token that expires within REFRESH_AHEAD and can be
    refreshed; return how many were tried. One account failing never stops the others."""
    now = now or timezone.now()
    due = Account.objects.filter(
        mode=AccountMode.API,
        status=AccountStatus.ACTIVE,
        token_expires_at__isnull=False,
        token_expires_at__lt=now + REFRESH_AHEAD,
    ).values_list("pk", flat=True)
    tried = 0
    for account_id in list(due):
        try:
            account = Account.objects.get(pk=account_id)
            if not account.refresh_token_set:
                continue
            tried += 1
            refresh_if_due(account)
        except CredentialsUnreadable:
            mark_reconnect(
                Account(pk=account_id), _("Its stored credentials can no longer be read.")
            )
        except Exception:  # one broken connector must not stop the others' refresh
            log.exception("token refresh of account %s failed", account_id)
    return tried


def warn_expiring(now: datetime | None = None) -> int:
    """Tell a workspace's owners and publishers of the network, once per expiry date, about
    each account whose token expires within EXPIRY_WARNING and cannot be refreshed.

    Returns how many accounts were warned about.
    """
    now = now or timezone.now()
    expiring = Account.objects.filter(
        mode=AccountMode.API,
        status__in=[AccountStatus.ACTIVE, AccountStatus.RECONNECT],
        token_expires_at__isnull=False,
        token_expires_at__lt=now + EXPIRY_WARNING,
    ).values_list("pk", flat=True)
    warned = 0
    for account_id in list(expiring):
        with transaction.atomic():
            account = (
                Account.objects.select_for_update()
                .defer("token", "secrets")
                .select_related("workspace")
                .get(pk=account_id)
            )
            if not _cannot_renew(account):
                continue
            expiry = account.token_expires_at.isoformat()
            if (account.settings or {}).get("warned_for") == expiry:
                continue
            _notify_expiry(account)
            account.settings = {**(account.settings or {}), "warned_for": expiry}
            account.save(update_fields=["settings"])
            warned += 1
    return warned


def _cannot_renew(account: Account) -> bool:
    if account.status != AccountStatus.ACTIVE:
        return True  # a refresh was refused: only a person can reconnect it
    try:
        return not account.refresh_token_set
    except CredentialsUnreadable:
        return True


def _notify_expiry(account: Account) -> None:
    workspace = account.workspace
    members = Membership.objects.filter(workspace=workspace).select_related("user")
    # Owners, and publishers whose scope covers the network: those who can reconnect it.
    people = [
        m.user
        for m in members
        if allows(set(m.roles), m.network_scopes or {}, Action.PUBLISH, account.network)
    ]
    day = timezone.localtime(account.token_expires_at, zoneinfo.ZoneInfo(workspace.time_zone))
    params = {
        "account": account.name,
        "network": network_name(account.network),
        "date": day.date().isoformat(),
    }
    url = reverse("account-list", args=[workspace.slug])
    notify(workspace, people, "account_expiring", lazy_text(EXPIRY_MESSAGE, params), url)
