"""Business figures: entered by hand, imported from a file, sent through the API or the webhook.

One figure is kept per workspace, indicator, objective (custom indicators
only), day and source: a figure for the same key replaces the one before it,
so re-importing a file, re-sending a webhook or correcting a value by hand
never counts a day twice. Figures of different sources for one day are kept
side by side (a hand-entered figure is not overwritten by an import).

The table has no unique constraint on that key, so every write of a
workspace's figures first locks the workspace's AnalyticsSettings row: two
imports running at once take turns instead of both creating the same key.

`do_*` check the role, write in one transaction and record an audit event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.core.crypto import CredentialsUnreadable
from tribune.core.problems import Problem
from tribune.core.row_errors import RowError
from tribune.core.snapshot import snapshot
from tribune.strategy.models import Objective
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.models import User, Workspace
from tribune.workspaces.roles import Action

from . import indicator_csv
from .forms_indicators import COLUMNS, Figure, Lookups, check_figure, read_figure
from .indicator_csv import FileRefused, ImportSettings
from .models import AnalyticsSettings, IndicatorSource, IndicatorValue

# A signed request is accepted this long after it was signed (and no earlier than
# this before: clocks drift both ways). A replay within the window changes
# nothing, since the same figures replace themselves.
WEBHOOK_TOLERANCE_S = 5 * 60
WEBHOOK_MAX_ITEMS = 1000
SECRET_PREFIX = "trbwh_"
# Signs nothing: keeps the time of a refusal the same whether a secret exists or not.
_NO_SECRET = secrets.token_hex(32)
CENT = Decimal("0.01")


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (then `errors` lists every bad cell)."""

    fmt: str
    file_name: str = ""
    created: int = 0
    replaced: int = 0
    skipped: int = 0
    member: str = ""
    first_day: date | None = None
    last_day: date | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def access_figure(access: Access, figure_id: int) -> IndicatorValue:
    """Return the workspace's figure `figure_id`; Http404 for any other workspace's."""
    figure = (
        IndicatorValue.objects.filter(workspace=access.workspace, pk=figure_id)
        .select_related("objective")
        .first()
    )
    if figure is None:
        raise Http404
    return figure


# ---- writing figures ----


def _lock_figures(workspace: Workspace) -> None:
    """Take the lock that serialises writes of this workspace's figures (see the docstring)."""
    rows = AnalyticsSettings.objects.filter(workspace=workspace)
    if not rows.exists():
        try:
            with transaction.atomic():
                AnalyticsSettings.objects.create(workspace=workspace)
        except IntegrityError:
            pass  # created meanwhile by another request: just as good
    # values_list: the row's encrypted secret is never decrypted for a lock.
    list(rows.select_for_update().values_list("pk", flat=True))


def _save(
    workspace: Workspace, figures: Sequence[Figure], source: str, user: User | None
) -> tuple[int, int]:
    """Write figures over those of the same key and source; return (created, replaced)."""
    days = [f.day for f in figures]
    existing = IndicatorValue.objects.filter(
        workspace=workspace,
        source=source,
        kpi__in={f.kpi for f in figures},
        day__range=(min(days), max(days)),
    ).order_by("pk")
    by_key: dict[tuple, IndicatorValue] = {}
    stray: list[int] = []
    for row in existing:
        key = (row.kpi, row.objective_id, row.day)
        if key in by_key:
            stray.append(row.pk)
        else:
            by_key[key] = row
    now = timezone.now()
    created, replaced = [], []
    for figure in figures:
        row = by_key.get(figure.key)
        if row is None:
            row = IndicatorValue(
                workspace=workspace,
                kpi=figure.kpi,
                objective_id=figure.objective_id,
                day=figure.day,
                source=source,
            )
            created.append(row)
        else:
            replaced.append(row)
        row.value = figure.value.quantize(CENT)
        row.note = figure.note
        row.created_by = user
        row.created_at = now
    if stray:  # left by a write from before the lock existed
        IndicatorValue.objects.filter(pk__in=stray).delete()
    IndicatorValue.objects.bulk_create(created, batch_size=500)
    IndicatorValue.objects.bulk_update(
        replaced, ["value", "note", "created_by", "created_at"], batch_size=500
    )
    return len(created), len(replaced)


@transaction.atomic
def do_enter(
    access: Access,
    kpi: str,
    day: date,
    value: Decimal,
    objective: Objective | None = None,
    note: str = "",
    *,
    source: str = IndicatorSource.MANUAL,
) -> tuple[IndicatorValue, bool]:
    """Enter one figure; return (the stored figure, True when it is new).

    A figure of the same indicator, objective, day and source is replaced.
    Raises ValidationError keyed by field (indicator, date, value, objective,
    note) when a rule is broken, PermissionDenied without ENTER_FIGURES.
    """
    check_action(access, Action.ENTER_FIGURES)
    workspace = access.workspace
    if objective is not None and objective.workspace_id != workspace.pk:
        raise ValidationError({"objective": _("This objective is not in this workspace.")})
    objective_id = objective.pk if objective is not None else None
    note = note.strip()
    errors = check_figure(kpi, day, value, objective_id, note, Lookups.for_workspace(workspace))
    if errors:
        raise ValidationError({column: [message] for column, message in errors.items()})
    _lock_figures(workspace)
    same = IndicatorValue.objects.filter(
        workspace=workspace, kpi=kpi, objective_id=objective_id, day=day, source=source
    ).order_by("pk")
    current = same.first()
    before = snapshot(current) if current is not None else None
    figure = Figure(kpi=kpi, day=day, value=value, objective_id=objective_id, note=note)
    created, _replaced = _save(workspace, [figure], source, access.user)
    stored = same.get()
    record(access, workspace, "create" if created else "update", stored, before, snapshot(stored))
    return stored, bool(created)


@transaction.atomic
def do_delete(access: Access, figure: IndicatorValue) -> None:
    """Delete one figure of the workspace."""
    check_action(access, Action.ENTER_FIGURES)
    if figure.workspace_id != access.workspace.pk:
        raise Http404
    record(access, access.workspace, "delete", figure, snapshot(figure))
    figure.delete()


def do_import_csv(
    access: Access,
    file: bytes | IO[bytes],
    fmt: str,
    *,
    ga4_metric: str = "sessions",
    plausible_metric: str = "visitors",
) -> ImportResult:
    """Import a file of figures; nothing is written when any row is wrong.

    Returns the counts, or every bad cell (line, column, message) in `errors`;
    a file that cannot be read at all gives one error on line 0.
    """
    check_action(access, Action.ENTER_FIGURES)
    if fmt not in indicator_csv.FORMATS:
        raise ValidationError({"format": _("Choose one of the file formats.")})
    name = str(getattr(file, "name", "") or "")[:200]
    raw = file if isinstance(file, bytes) else file.read(indicator_csv.MAX_FILE_BYTES + 1)
    result = ImportResult(fmt=fmt, file_name=name)
    settings = ImportSettings(fmt=fmt, ga4_metric=ga4_metric, plausible_metric=plausible_metric)
    # Read before the transaction: the write lock is held only while writing.
    try:
        reading = indicator_csv.read_figures(raw, settings, Lookups.for_workspace(access.workspace))
    except FileRefused as refusal:
        result.errors = [RowError(0, "", str(refusal))]
        return result
    result.skipped, result.member, result.errors = reading.skipped, reading.member, reading.errors
    if reading.errors:
        return result
    days = [f.day for f in reading.figures]
    result.first_day, result.last_day = min(days), max(days)
    with transaction.atomic():
        _lock_figures(access.workspace)
        source = indicator_csv.SOURCES[fmt]
        result.created, result.replaced = _save(
            access.workspace, reading.figures, source, access.user
        )
        record(
            access,
            access.workspace,
            "import_figures",
            access.workspace,
            after={
                "format": fmt,
                "file": name,
                "created": result.created,
                "replaced": result.replaced,
                "from": result.first_day.isoformat(),
                "to": result.last_day.isoformat(),
            },
        )
    return result


# ---- the webhook ----


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return the X-Tribune-Signature value: HMAC-SHA256 of "<timestamp>.<body>"."""
    message = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_secret(workspace: Workspace) -> str | None:
    """Return the workspace's webhook secret, "" when none is set, None when unreadable."""
    try:
        secret = (
            AnalyticsSettings.objects.filter(workspace=workspace)
            .values_list("webhook_secret", flat=True)
            .first()
        )
    except CredentialsUnreadable:
        return None  # encrypted under a key this instance no longer has
    return secret or ""


def _verify(
    secret: str, body: bytes, signature: str | None, timestamp: str | None, now: float
) -> None:
    """Raise Problem 401 unless the request is signed with `secret` and recent."""
    timestamp = (timestamp or "").strip()
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Problem(401, _("Send X-Tribune-Timestamp: when you sign, in Unix seconds."))
    expected = webhook_signature(secret or _NO_SECRET, timestamp, body).encode()
    given = (signature or "").strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected, given) or not secret:
        raise Problem(
            401,
            _(
                "The signature does not match. X-Tribune-Signature must be sha256= followed by "
                "the HMAC-SHA256 of “<timestamp>.<body>” with the workspace's webhook secret."
            ),
        )
    if abs(now - int(timestamp)) > WEBHOOK_TOLERANCE_S:
        raise Problem(
            401,
            _("The timestamp is more than 5 minutes from our clock: sign each request anew."),
        )


def _items(body: bytes) -> tuple[list[Any], bool]:
    """Return the figures of a JSON body and whether it was a list; Problem 400/422."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise Problem(400, _("The request body is not valid JSON.")) from None
    if isinstance(data, dict):
        return [data], False
    if isinstance(data, list) and 0 < len(data) <= WEBHOOK_MAX_ITEMS:
        return data, True
    raise Problem(
        422,
        _("Send one figure as a JSON object, or a list of 1 to %(n)s of them.")
        % {"n": WEBHOOK_MAX_ITEMS},
    )


def _cells(item: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Return an item's fields as text, and {field: message} for any of the wrong type."""
    if not isinstance(item, dict):
        return {}, {"": _("Each figure is a JSON object.")}
    cells, errors = {}, {}
    for name, value in item.items():
        if name not in COLUMNS:
            errors[str(name)[:40]] = _("Unknown field; the fields are %(names)s.") % {
                "names": ", ".join(COLUMNS)
            }
        elif value is None:
            continue
        elif isinstance(value, bool) or not isinstance(value, str | int | float):
            errors[name] = _("Send a string or a number.")
        else:
            cells[name] = str(value)
    return cells, errors


def _read_items(body: bytes, lookups: Lookups) -> list[Figure]:
    """Return the figures of a webhook body; Problem 400 or 422 (with every error)."""
    items, is_list = _items(body)
    figures: list[Figure] = []
    errors: list[dict] = []
    seen: dict[tuple, int] = {}
    for index, item in enumerate(items):
        loc = ["body", index] if is_list else ["body"]
        cells, wrong = _cells(item)
        figure, problems = read_figure(cells, lookups) if not wrong else (None, {})
        for name, message in (wrong | problems).items():
            errors.append({"loc": [*loc, name] if name else loc, "msg": message, "type": "invalid"})
        if figure is not None:
            first = seen.setdefault(figure.key, index)
            if first != index:
                msg = _("Figure %(first)s is for the same indicator and day.") % {"first": first}
                errors.append({"loc": [*loc, "date"], "msg": msg, "type": "duplicate"})
            figures.append(figure)
    if errors:
        raise Problem(422, _("The request has invalid values."), errors[:200])
    return figures


def do_webhook(
    workspace: Workspace | None,
    body: bytes,
    signature_header: str | None,
    timestamp_header: str | None,
    *,
    now: float | None = None,
) -> dict[str, int]:
    """Store the figures a signed webhook request carries; return the counts.

    Raises Problem: 401 for a missing or wrong signature, an unknown workspace,
    a workspace without a secret or a timestamp more than 5 minutes away; 400
    for a body that is not JSON; 422 (with every error) for invalid figures,
    in which case nothing is written.
    """
    secret = (webhook_secret(workspace) if workspace is not None else "") or ""
    now = time.time() if now is None else now
    _verify(secret, body, signature_header, timestamp_header, now)
    if workspace is None:  # unreachable: without a workspace there is no secret to match
        raise Problem(401, _("Unknown workspace."))
    figures = _read_items(body, Lookups.for_workspace(workspace))
    with transaction.atomic():
        _lock_figures(workspace)
        created, replaced = _save(workspace, figures, IndicatorSource.WEBHOOK, None)
        record(
            None,
            workspace,
            "receive_figures",
            workspace,
            after={"created": created, "replaced": replaced},
        )
    return {"created": created, "replaced": replaced}


@transaction.atomic
def do_rotate_webhook_secret(access: Access) -> str:
    """Set a new webhook secret and return it: shown once, stored encrypted only."""
    check_action(access, Action.ENTER_FIGURES)
    _lock_figures(access.workspace)
    secret = SECRET_PREFIX + secrets.token_hex(32)
    AnalyticsSettings.objects.filter(workspace=access.workspace).update(webhook_secret=secret)
    record(access, access.workspace, "webhook_rotate", access.workspace)
    return secret


@transaction.atomic
def do_revoke_webhook_secret(access: Access) -> None:
    """Remove the webhook secret: every request is refused until a new one is made."""
    check_action(access, Action.ENTER_FIGURES)
    _lock_figures(access.workspace)
    AnalyticsSettings.objects.filter(workspace=access.workspace).update(webhook_secret="")
    record(access, access.workspace, "webhook_revoke", access.workspace)
