"""Connected accounts: who Tribune publishes as, on which network, with which credentials.

Secrets (token, refresh token, other secret fields) are EncryptedTextFields:
ciphertext in the database, plaintext on the model, never in a form, the
API, a log line or the admin. List pages `.defer(*SECRET_FIELDS)` so one
unreadable row (a lost key) does not break them.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings as django_settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribune.core.crypto import EncryptedTextField
from tribune.workspaces.models import Workspace

from .base import AccountCredentials

SECRET_FIELDS = ("token", "refresh_token", "secrets")

# Warn this long before a token expires; refresh ahead of expiry by this much.
EXPIRY_WARNING = timedelta(days=7)
REFRESH_AHEAD = timedelta(hours=24)


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Connected")
    RECONNECT = "reconnect", _("Needs reconnecting")
    DISCONNECTED = "disconnected", _("Disconnected")


class AccountMode(models.TextChoices):
    API = "api", _("Publish through the network's API")
    REMINDER = "reminder", _("Remind a person to post by hand")


class Account(models.Model):
    """One account of a workspace on one network (a page, a profile, a blog, a wiki)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="accounts")
    network = models.CharField(_("network"), max_length=40)
    mode = models.CharField(
        _("how posts go out"), max_length=10, choices=AccountMode.choices, default=AccountMode.API
    )
    name = models.CharField(_("name"), max_length=200)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    remote_id = models.CharField(max_length=200, blank=True)
    profile_url = models.URLField(_("profile address"), max_length=500, blank=True)
    base_url = models.CharField(_("server address"), max_length=500, blank=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    # Other secret credential fields, as JSON (an OAuth client secret, say).
    secrets = EncryptedTextField(blank=True)
    # Non-secret settings of the connection (an OAuth client id, an instance's limits).
    settings = models.JSONField(default=dict, blank=True)
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    status_message = models.TextField(_("what happened"), blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    # Set from a 429: nothing is sent for this account before then.
    paused_until = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account")
        ordering = ["network", "name"]
        indexes = [models.Index(fields=["workspace", "network", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "base_url", "remote_id"],
                condition=~models.Q(remote_id=""),
                name="account_once_per_workspace",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"

    def __repr__(self) -> str:  # never the secrets
        return f"<Account {self.pk} {self.network} {self.handle!r}>"

    @property
    def is_usable(self) -> bool:
        return self.status == AccountStatus.ACTIVE

    def secret_values(self) -> dict[str, str]:
        return json.loads(self.secrets) if self.secrets else {}

    def credentials(self) -> AccountCredentials:
        """What the connector needs (decrypts the secrets: call only when about to use them)."""
        # Secrets left unread by a query (the publishing claim defers them) are read in
        # one query, not one per field.
        unread = [name for name in SECRET_FIELDS if name in self.get_deferred_fields()]
        if unread:
            self._read_secrets(unread)
        extra = {k: str(v) for k, v in self.settings.items() if isinstance(v, str | int)}
        extra.update(self.secret_values())
        if self.refresh_token:  # OAuth2 connectors refresh with it (Connector.refresh)
            extra["refresh_token"] = self.refresh_token
        return AccountCredentials(
            base_url=self.base_url, token=self.token, username=self.username, extra=extra
        )

    # A query may read a secret's ciphertext as SEALED + field name, leaving the field
    # deferred: credentials() decrypts it then, without reading the row again.
    SEALED = "sealed_"

    def _read_secrets(self, names: list[str]) -> None:
        """Load deferred secret fields, decrypted as the ORM would: from their sealed
        copies when the query that made this instance read them, else in one query.

        Runs for every publication; refresh_from_db compiled a query each time for what
        is always the same statement."""
        fields = [self._meta.get_field(name) for name in names]
        if all(hasattr(self, self.SEALED + f.attname) for f in fields):
            for field in fields:
                sealed = getattr(self, self.SEALED + field.attname)
                setattr(self, field.attname, field.from_db_value(sealed, None, connection))
            return
        q = connection.ops.quote_name
        columns = ", ".join(q(f.column) for f in fields)
        table, pk = q(self._meta.db_table), q(self._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {pk} = %s", [self.pk])  # noqa: S608
            row = cursor.fetchone()
        if row is None:
            raise Account.DoesNotExist(f"account {self.pk}")
        for field, value in zip(fields, row, strict=True):
            setattr(self, field.attname, field.from_db_value(value, None, connection))

    @property
    def refresh_token_set(self) -> bool:
        """Whether a refresh token is stored."""
        return bool(self.refresh_token)

    def expires_soon(self, now=None) -> bool:
        now = now or timezone.now()
        return self.token_expires_at is not None and self.token_expires_at - now < EXPIRY_WARNING
