"""Set-wise writes with their audit trail, for imports of many rows (R2.4).

Django's `bulk_create` and simple-history's `bulk_create_with_history` build a model instance for every row
and every history row and compile them into SQL value by value: for a 100,000-row customer file (about
580,000 rows and as many history rows) that was more than half of the import's time. Here rows go to the
database as prepared tuples — COPY on PostgreSQL, `executemany` on SQLite — with ids taken beforehand, and
the history rows are copied from the rows just written by one `INSERT … SELECT` per table, with exactly the
columns simple-history writes: every tracked field, `history_date`, `history_type` ("+" created, "~"
changed), `history_user_id` and `history_change_reason`. A historical model of another shape (extra
history fields, a custom user field) is refused here rather than half filled: its rows then go through
simple-history's own `bulk_history_create`.

Everything must run inside `transaction.atomic()`: the caller's transaction is what makes the rows and
their history all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

# Fields whose Python value (str, int, bool or None, as the caller gives them) is already what the database
# driver takes; every other field's values go through Field.get_db_prep_save().
_PLAIN_TYPES = {"AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField", "EmailField",
                "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                "PositiveBigIntegerField", "PositiveSmallIntegerField", "BooleanField", "ForeignKey"}
_HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
_SQLITE_CHUNK = 500


class BulkWriter:
    """Insert and update rows of one model at a time, writing their simple-history rows with `user`,
    `change_reason` and one `date` for the whole batch (simple-history's bulk helpers take the same three)."""

    def __init__(self, *, user=None, change_reason: str | None = None, date: datetime | None = None) -> None:
        self.user = user
        self.change_reason = change_reason
        self.date = date or timezone.now()

    # --- public ---------------------------------------------------------------------------------------

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
        """Insert `rows` (values of `fields`, in that order; foreign keys by their `…_id` name) and their
        "+" history rows; return the new primary keys in the order of `rows`.

        Fields not named take their default; `auto_now`/`auto_now_add` date fields take the writer's date,
        as `save()` would set them."""
        _require_transaction()
        if not rows:
            return []
        opts = model._meta
        named = [opts.get_field(name) for name in fields]
        rest = [f for f in opts.concrete_fields if f not in named and not f.primary_key]
        constants = [self._db_value(f, self._default(f)) for f in rest]
        columns = [opts.pk.column] + [f.column for f in named] + [f.column for f in rest]
        ids = _allocate_ids(model, len(rows))
        converters = [_converter(f) for f in named]
        if any(c is not None for c in converters):
            prepared = ((pk, *(v if c is None else c(v) for c, v in zip(converters, row, strict=True)), *constants)
                        for pk, row in zip(ids, rows, strict=True))
        else:
            prepared = ((pk, *row, *constants) for pk, row in zip(ids, rows, strict=True))
        _insert_tuples(opts.db_table, columns, prepared)
        self._history(model, ids, "+")
        return ids

    def update(self, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Set `fields` of existing rows — each row is (primary key, values of `fields`…) — and write their "~"
        history rows. Like `QuerySet.bulk_update()`, only the named fields change (not `auto_now` ones)."""
        _require_transaction()
        if not rows:
            return
        opts = model._meta
        named = [opts.get_field(name) for name in fields]
        converters = [_converter(f) for f in named]
        qn = connection.ops.quote_name
        sql = (f"UPDATE {qn(opts.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in named)} "
               f"WHERE {qn(opts.pk.column)} = %s")
        params = [(*(v if c is None else c(v) for c, v in zip(converters, values, strict=True)), pk)
                  for pk, *values in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        self._history(model, [row[0] for row in rows], "~")

    # --- history --------------------------------------------------------------------------------------

    def _history(self, model: type[models.Model], ids: list[int], history_type: str) -> None:
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        try:
            manager = get_history_manager_for_model(model)
        except NotHistoricalModelError:
            return
        historical = manager.model
        user = self.user if self.user is not None else historical.get_default_history_user(model())
        pairs = _history_columns(model, historical)
        if pairs is None:
            self._history_by_simple_history(model, manager, ids, history_type, user)
            return
        qn = connection.ops.quote_name
        target = [qn(h) for _s, h in pairs] + [qn(historical._meta.get_field(name).column) for name in
                                                 ("history_date", "history_type", "history_user",
                                                  "history_change_reason")]
        source = [qn(s) for s, _h in pairs]
        date = historical._meta.get_field("history_date").get_db_prep_save(self.date, connection)
        constants = [date, history_type, user.pk if user is not None else None, self.change_reason]
        pk = qn(model._meta.pk.column)
        head = (f"INSERT INTO {qn(historical._meta.db_table)} ({', '.join(target)}) "
                f"SELECT {', '.join(source)}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} WHERE ")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"{head}{pk} = ANY(%s) ORDER BY {pk}", [*constants, list(ids)])
                return
            # SQLite limits the parameters of a statement: runs of consecutive ids (all of them, for
            # inserted rows) go as ranges, the others in lists of a few hundred.
            scattered: list[int] = []
            for low, high in _runs(sorted(ids)):
                if high - low >= 16:
                    cursor.execute(f"{head}{pk} BETWEEN %s AND %s ORDER BY {pk}", [*constants, low, high])
                else:
                    scattered.extend(range(low, high + 1))
            for start in range(0, len(scattered), _SQLITE_CHUNK):
                chunk = scattered[start:start + _SQLITE_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{head}{pk} IN ({marks}) ORDER BY {pk}", [*constants, *chunk])

    def _history_by_simple_history(self, model, manager, ids: list[int], history_type: str, user) -> None:
        """The slow, general way, for historical models whose columns are not the standard ones."""
        objs = []
        for start in range(0, len(ids), _SQLITE_CHUNK):
            objs.extend(model._default_manager.filter(pk__in=ids[start:start + _SQLITE_CHUNK]).order_by("pk"))
        manager.bulk_history_create(objs, batch_size=1000, update=history_type == "~", default_user=user,
                                    default_change_reason=self.change_reason, default_date=self.date)

    # --- values ---------------------------------------------------------------------------------------

    def _default(self, field: models.Field) -> Any:
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
            return self.date if isinstance(field, models.DateTimeField) else timezone.localdate(self.date)
        return field.get_default()

    @staticmethod
    def _db_value(field: models.Field, value: Any) -> Any:
        return field.get_db_prep_save(value, connection)


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("BulkWriter needs transaction.atomic(): rows and history are written all or nothing.")


def _converter(field: models.Field):
    if field.get_internal_type() in _PLAIN_TYPES:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _history_columns(model, historical) -> list[tuple[str, str]] | None:
    """(source column, history column) of every tracked field, or None when the historical table has
    columns other than those and the standard history fields (its rows are then left to simple-history)."""
    hopts = historical._meta
    try:
        pairs = [(f.column, hopts.get_field(f.name).column) for f in historical.tracked_fields]
        user_field = hopts.get_field("history_user")
    except FieldDoesNotExist:
        return None
    if not isinstance(user_field, models.ForeignKey):
        return None
    expected = {h for _s, h in pairs} | {hopts.get_field(name).column for name in _HISTORY_FIELDS}
    actual = {f.column for f in hopts.concrete_fields}
    if actual != expected or len(pairs) != len({h for _s, h in pairs}):
        return None
    return pairs


def _runs(ordered: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as (first, last) runs of consecutive values."""
    runs: list[tuple[int, int]] = []
    for value in ordered:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def _allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys no other row has or will get.

    PostgreSQL: taken from the column's sequence (nextval never hands a value out twice, even to concurrent
    transactions). SQLite: the ones after the largest id ever used (Django's SQLite ids are AUTOINCREMENT:
    sqlite_sequence remembers ids of deleted rows, which must not be reused — their history exists). Kefu's
    SQLite transactions are IMMEDIATE, so nobody else can insert until this transaction ends; were one to
    take an id anyway, the insert would fail on the primary key and roll the whole import back."""
    table = model._meta.db_table
    pk = model._meta.pk
    if not isinstance(pk, models.AutoField):
        raise RuntimeError(f"{table}: only automatic integer primary keys can be allocated.")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), pk.column])
            sequence = cursor.fetchone()[0]
            if sequence is None:
                raise RuntimeError(f"{table}.{pk.column} has no sequence.")
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise RuntimeError(f"Bulk writes are not implemented for {connection.vendor}.")
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT max({qn(pk.column)}) FROM {qn(table)}")
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(largest, row[0] if row else 0) + 1
        return list(range(start, start + count))


def _insert_tuples(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own cursor (Django's wrapper has no COPY): its errors are turned into Django's here,
            # so that callers catch IntegrityError whatever the database.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)
