"""JSON-safe snapshots of model instances, for the audit log's before/after."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


def snapshot(obj: models.Model) -> dict:
    """Return the instance's concrete and many-to-many field values as plain JSON data."""
    data: dict = {}
    for f in obj._meta.concrete_fields:
        data[f.attname] = getattr(obj, f.attname)
    if obj.pk:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
