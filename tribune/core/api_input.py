"""Input types shared by the API modules, and the bridge from a payload to a ModelForm.

The API validates JSON shape here (types, enum values, lengths, id ranges) and
business rules in the same ModelForms the pages use, so a rule is written once.
Two things only JSON can carry are refused here: NUL characters (PostgreSQL
cannot store them) and lone surrogates (not encodable as UTF-8).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.db import models
from django.forms import BaseModelForm
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, StringConstraints

from .problems import form_problem

# Ids are 64-bit in every database we support; larger numbers cannot name a row,
# and SQLite raises OverflowError on them instead of matching nothing.
MAX_ID = 2**63 - 1
# Long enough for any real text field, short enough to keep a request cheap.
LONG_TEXT = 20_000
MAX_OFFSET = 10**9

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if _UNSTORABLE.search(value):
        raise ValueError("Text must not contain NUL characters or lone surrogates.")
    return value


def text(max_length: int) -> Any:
    """Return the annotated str type for a text field of at most `max_length` characters."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(storable)]


ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
ObjectIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
SlugPath = Annotated[str, Path(max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")]
NetworkKey = Annotated[str, StringConstraints(max_length=40), AfterValidator(storable)]


class Page(LimitOffsetPagination):
    """limit/offset pagination with bounds, so no value reaches the database unchecked."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=200, **kwargs)


def form_data(form_class: type[BaseModelForm], instance: models.Model) -> dict[str, Any]:
    """Return the instance's current values as form data (related objects as ids)."""
    data = model_to_dict(instance, fields=form_class._meta.fields)
    for key, value in data.items():
        if isinstance(value, list | tuple) and value and isinstance(value[0], models.Model):
            data[key] = [obj.pk for obj in value]
    return data


def bind_form(
    form_class: type[BaseModelForm],
    payload: Schema,
    *,
    instance: models.Model | None = None,
    partial: bool = False,
    **form_kwargs: Any,
) -> BaseModelForm:
    """Return a valid form built from the payload; raise Problem 422/409 when it is not.

    With `partial`, fields absent from the payload keep the instance's values (PATCH).
    """
    data = form_data(form_class, instance) if partial and instance is not None else {}
    data.update(payload.model_dump(mode="json", exclude_unset=partial))
    # A JSON null reaches the form as None, which it reads as empty: a required
    # field then reports itself missing, as it would on the page.
    form = form_class(data=data, instance=instance, **form_kwargs)
    if not form.is_valid():
        raise form_problem(form, _("The request has invalid values."))
    return form
