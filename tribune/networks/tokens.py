"""Token health: refresh ahead of expiry, and a clear "reconnect" state when that fails.

Reconnecting or refreshing never loses a stored refresh token: a network that
answers a refresh without a new refresh token keeps the old one.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .base import AuthKind, TokenGrant
from .clients import connector_for
from .errors import AuthExpired, ConnectorError, NotSupported
from .models import REFRESH_AHEAD, Account, AccountStatus

log = logging.getLogger(__name__)


def store_grant(account: Account, grant: TokenGrant) -> None:
    """Save new tokens (the caller holds the row); no new refresh token keeps the old one."""
    account.token = grant.access_token
    if grant.refresh_token:
        account.refresh_token = grant.refresh_token
    account.token_expires_at = grant.expires_at
    account.status = AccountStatus.ACTIVE
    account.status_message = ""
    account.checked_at = timezone.now()
    account.save()


def mark_reconnect(account: Account, message: str) -> None:
    Account.objects.filter(pk=account.pk).update(
        status=AccountStatus.RECONNECT, status_message=message[:1000], checked_at=timezone.now()
    )
    account.status = AccountStatus.RECONNECT
    account.status_message = message


def needs_refresh(account: Account, now=None) -> bool:
    now = now or timezone.now()
    return (
        account.token_expires_at is not None
        and account.refresh_token_set
        and account.token_expires_at - now < REFRESH_AHEAD
    )


def refresh_if_due(account: Account) -> Account:
    """Refresh the account's token when it expires within REFRESH_AHEAD; return the account.

    Runs under a row lock so two workers never spend one refresh token twice
    (some networks rotate it on use). A refused refresh marks the account
    "needs reconnecting"; a network that could not be reached leaves it as it is.
    """
    if not needs_refresh(account):
        return account
    with transaction.atomic():
        fresh = Account.objects.select_for_update().get(pk=account.pk)
        if not needs_refresh(fresh):  # another worker refreshed it meanwhile
            return fresh
        connector = connector_for(fresh)
        try:  # every path closes the connector's HTTP client, this one included
            if connector.auth != AuthKind.OAUTH2:
                return fresh
            store_grant(fresh, connector.refresh())
        except AuthExpired as exc:
            mark_reconnect(fresh, exc.message)
        except NotSupported:
            pass
        except ConnectorError as exc:
            log.warning("token refresh of account %s failed: %s", fresh.pk, exc.message)
        finally:
            connector.http.close()
        return fresh
