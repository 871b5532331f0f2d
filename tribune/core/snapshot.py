"""JSON-safe snapshots of model instances, for the audit log's before/after."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile

from .crypto import EncryptedTextField


def snapshot(obj: models.Model) -> dict:
    """Return the instance's concrete and many-to-many field values as plain JSON data."""
    data: dict = {}
    for f in obj._meta.concrete_fields:
        if isinstance(f, EncryptedTextField):
            # A secret never reaches the audit log: only whether one is set.
            data[f.attname] = "(set)" if getattr(obj, f.attname) else ""
            continue
        value = getattr(obj, f.attname)
        # A file is recorded by its stored name, not its content.
        data[f.attname] = value.name if isinstance(value, FieldFile) else value
    if obj.pk:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
