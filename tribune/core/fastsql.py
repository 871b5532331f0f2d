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

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection, connections
from django.db.models import Field, Model
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class Add:
    """In update(): add this amount to the column's current value."""

    amount: int


@lru_cache(maxsize=64)
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
    fields = _fields(model)
    names = tuple(name for name, f in fields.items() if f is not pk)
    columns = ", ".join(q(fields[name].column) for name in names)
    marks = ", ".join(["%s"] * len(names))
    table = q(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {q(pk.column)}"  # noqa: S608
    return sql, names


def among(column: str, ids: list[int]) -> tuple[str, list]:
    """`column` among `ids`, for hand-written SQL: one array parameter on PostgreSQL (the
    statement's text stays the same whatever the count, so it is prepared once); a list
    of marks elsewhere (SQLite)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


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


def update_rows(
    model: type[Model], rows: dict[int, dict[str, Any]], where: dict[str, Any] | None = None
) -> list[int]:
    """UPDATE many rows, each with its own values, in one statement; return the pks of
    the rows changed. Every row sets the same columns; `where` adds conditions that every
    row must meet (plain equality, as in update()).

    Each column becomes `CASE pk WHEN ... THEN ... END`, which PostgreSQL and SQLite
    both run (SQLite's UPDATE ... FROM came late); on PostgreSQL the CASE is cast to the
    column's type, since a CASE of parameters alone would otherwise be text."""
    if not rows:
        return []
    where = where or {}
    if not connection.features.can_return_rows_from_bulk_insert:
        # An SQLite older than 3.35 has no RETURNING: one statement per row.
        pk_name = model._meta.pk.attname
        return [
            key for key, values in rows.items() if update(model, {pk_name: key, **where}, values)
        ]
    fields, q = _fields(model), connection.ops.quote_name
    pk = model._meta.pk
    names = list(next(iter(rows.values())))
    typed = connection.vendor == "postgresql"
    sets, params = [], []
    for name in names:
        field = fields[name]
        whens = " ".join(["WHEN %s THEN %s"] * len(rows))
        case = f"CASE {q(pk.column)} {whens} END"
        if typed:
            case = f"CAST({case} AS {field.cast_db_type(connection)})"
        sets.append(f"{q(field.column)} = {case}")
        for key, values in rows.items():
            params += [key, _prep(field, values[name])]
    among_sql, among_params = among(q(pk.column), list(rows))
    conditions = [among_sql] + [f"{q(fields[name].column)} = %s" for name in where]
    params += among_params + [_prep(fields[name], value) for name, value in where.items()]
    sql = (
        f"UPDATE {q(model._meta.db_table)} SET {', '.join(sets)} "  # noqa: S608
        f"WHERE {' AND '.join(conditions)} RETURNING {q(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


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


class ByPk:
    """A queryset's SELECT (select_related included) compiled once, run for any primary key.

    Its rows become instances exactly as iterating the queryset does (Django's
    ModelIterable: converters, `from_db`, the related populators), which these
    helpers follow; test_fastsql compares the result with the ORM's own `get()`.
    Compiled once per thread: a compiler belongs to its thread's connection.
    """

    _MARK = -7_355_608  # a primary key no row has, to find the parameter's place

    def __init__(self, queryset):
        self.queryset = queryset
        self._local = threading.local()

    def _compiled(self):
        wrapper = connections[self.queryset.db]  # this thread's
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled[0] is not wrapper:
            query = self.queryset.filter(pk=self._MARK).query
            compiler = query.get_compiler(using=self.queryset.db)
            sql, params = compiler.as_sql()
            if list(params).count(self._MARK) != 1:
                raise ValueError("ByPk needs a queryset whose only varying value is the pk")
            # What turning a row into instances needs, worked out once with the SQL.
            klass_info, select = compiler.klass_info, compiler.select
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            names = [column[0].target.attname for column in select[start:end]]
            populators = get_related_populators(klass_info, select, self.queryset.db)
            compiled = (wrapper, compiler, sql, list(params), list(params).index(self._MARK),
                        klass_info["model"], names, start, end, populators)  # fmt: skip
            self._local.compiled = compiled
        return compiled

    def get(self, pk: int) -> Model:
        """The instance with this pk; raises the model's DoesNotExist like QuerySet.get()."""
        _, compiler, sql, params, at, model, names, start, end, populators = self._compiled()
        params = [*params[:at], pk, *params[at + 1 :]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            raise model.DoesNotExist(f"{model.__name__} {pk}")
        row = next(iter(compiler.results_iter([rows])))
        instance = model.from_db(self.queryset.db, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in (compiler.annotation_col_map or {}).items():
            setattr(instance, name, row[position])
        return instance
