"""Fixed-shape INSERTs and UPDATEs whose SQL is built once, from the models' metadata.

Why: Django compiles every queryset again each time it runs. On the publishing
path (several writes for each published target) compiling cost more of a
worker's CPU than the database spent running the statements
(bench/publishing_profile.py). These helpers build each statement's text once
per shape (model, columns, backend) and adapt the values as the model fields
do (`pre_save`, `get_db_prep_save`), so the database receives what the ORM
would have sent. Only plain equality in WHERE, and no signals: the models
written this way have no receivers (test_fastsql checks that too).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model


@dataclass(frozen=True)
class Add:
    """In update(): add this amount to the column's current value."""

    amount: int


def _fields(model: type[Model]) -> dict[str, Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


@lru_cache(maxsize=256)
def _update_sql(model: type[Model], sets: tuple[tuple[str, bool], ...], where: tuple[str, ...],
                vendor: str) -> str:  # fmt: skip
    fields, q = _fields(model), connection.ops.quote_name
    parts = []
    for name, adds in sets:
        column = q(fields[name].column)
        parts.append(f"{column} = {column} + %s" if adds else f"{column} = %s")
    conditions = " AND ".join(f"{q(fields[name].column)} = %s" for name in where)
    return f"UPDATE {q(model._meta.db_table)} SET {', '.join(parts)} WHERE {conditions}"  # noqa: S608


@lru_cache(maxsize=256)
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, tuple[str, ...]]:
    q = connection.ops.quote_name
    pk = model._meta.pk
    names = tuple(name for name, f in _fields(model).items() if f is not pk)
    columns = ", ".join(q(_fields(model)[name].column) for name in names)
    marks = ", ".join(["%s"] * len(names))
    table = q(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {q(pk.column)}"  # noqa: S608
    return sql, names


def _prep(field: Field, value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def update(model: type[Model], where: dict[str, Any], values: dict[str, Any]) -> int:
    """UPDATE the rows whose columns equal `where`; set `values` (an Add adds). Return the
    rows changed. Names are the models' attribute names (`account_id`, not `account`)."""
    fields = _fields(model)
    sets = tuple((name, isinstance(value, Add)) for name, value in values.items())
    sql = _update_sql(model, sets, tuple(where), connection.vendor)
    params = [
        value.amount if isinstance(value, Add) else _prep(fields[name], value)
        for name, value in values.items()
    ]
    params += [_prep(fields[name], value) for name, value in where.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert(instance: Model) -> Model:
    """INSERT a new instance with every field as the ORM would save it; set its pk."""
    model = type(instance)
    sql, names = _insert_sql(model, connection.vendor)
    fields = _fields(model)
    params = [_prep(fields[name], fields[name].pre_save(instance, True)) for name in names]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
