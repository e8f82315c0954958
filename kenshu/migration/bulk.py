"""Fast inserts of many rows for the legacy import: ``COPY`` on PostgreSQL, one
``executemany`` on SQLite.

Why not ``bulk_create``: for 100,000 members the import writes some 400,000 rows, and
``bulk_create`` spends most of its time building model instances and compiling the
values (and, on PostgreSQL, quoting them as arrays in Python for its ``UNNEST``
insert) — about ten times the database's own work. Here the rows are plain dicts of
the model's field attnames. The model's field definitions still supply the table, the
columns, the defaults and the conversions: for each table a small function turning
such a dict into a line of ``COPY`` text (or a tuple for SQLite) is generated once from
them, so a new field with a default needs no change here.

The ids are allocated from the table's sequence first on PostgreSQL (one query per
batch) and read back on SQLite (the import's transaction holds SQLite's write lock,
so the rowids of one ``executemany`` are consecutive).
"""

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

NULL = "\\N"


def _copy_str(value: str) -> str:
    """A string in COPY's text format: backslash, tab and line breaks escaped (rare in
    legacy data: checked first, as escaping Japanese text character by character is
    slow)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_any(value: Any) -> str:
    """Any value in COPY's text format (None → NULL)."""
    if value is None:
        return NULL
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if isinstance(value, str):
        return _copy_str(value)
    return str(value)


class _Repeating:
    """``convert(value)``, remembering the last value: the import repeats one value in
    many rows (the run's timestamp, a course's cancellation tiers, an empty list)."""

    __slots__ = ("convert", "last", "result")

    def __init__(self, convert: Callable[[Any], Any]):
        self.convert = convert
        self.last: Any = object()
        self.result: Any = None

    def __call__(self, value: Any) -> Any:
        if value is not self.last:
            self.last, self.result = value, self.convert(value)
        return self.result


class BulkTable:
    """Rows of ``model`` built from dicts of attnames, inserted in one go."""

    def __init__(self, model: type[models.Model], *, now: dt.datetime):
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.model = model
        self.table = model._meta.db_table
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.required: set[str] = set()
        defaults: list[Any] = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults.append(now)
            elif f.has_default() or f.null or f.empty_strings_allowed:
                defaults.append(f.get_default())
            else:
                self.required.add(f.attname)
                defaults.append(None)
        self._line = self._compile(fields, defaults, text=connection.vendor == "postgresql")

    @staticmethod
    def _compile(fields, defaults, *, text: bool) -> Callable[[dict], Any]:
        """``row dict → COPY text line`` (``text``) or ``→ tuple of driver values``."""
        names: dict[str, Any] = {"_s": _copy_str, "_a": _copy_any, "NULL": NULL}
        parts = []
        for i, (f, default) in enumerate(zip(fields, defaults, strict=True)):
            names[f"d{i}"] = default
            get = f"v.get({f.attname!r}, d{i})"
            convert = None
            if isinstance(f, models.JSONField):
                encoder = f.encoder
                convert = _Repeating(
                    lambda value, encoder=encoder: json.dumps(
                        value, cls=encoder, ensure_ascii=False
                    )
                )
            elif isinstance(f, models.DateTimeField):
                convert = _Repeating(
                    dt.datetime.isoformat if text else connection.ops.adapt_datetimefield_value
                )
            elif isinstance(f, models.DateField):
                convert = dt.date.isoformat if text else connection.ops.adapt_datefield_value
            if convert is not None:
                names[f"c{i}"] = convert
                get = f"(None if (x{i} := {get}) is None else c{i}(x{i}))"
            if text:
                if isinstance(f, models.CharField | models.TextField) and not f.null:
                    part = f"_s({get})"
                elif convert is not None:
                    part = f"(NULL if (y{i} := {get}) is None else _s(y{i}))"
                else:
                    part = f"_a({get})"
            else:
                part = get
            parts.append(part)
        body = ('"\\t".join([{}])' if text else "({},)").format(", ".join(parts))
        source = f"def line(v):\n    return {body}\n"
        exec(source, names)  # noqa: S102 (code generated from the model's fields only)
        return names["line"]

    def insert(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` (dicts of attnames); returns their new ids, in order."""
        if not rows:
            return []
        self._check(rows[0])
        if connection.vendor == "postgresql":
            return self._copy(rows)
        return self._executemany([self._line(r) for r in rows])

    def _check(self, values: dict[str, Any]) -> None:
        """The rows of one insert are built alike: the first tells a missing or unknown
        field (a programming error, not a data one)."""
        missing = self.required - values.keys()
        unknown = values.keys() - set(self.attnames)
        if missing or unknown:
            raise ValueError(f"{self.table}: missing {sorted(missing)}, unknown {sorted(unknown)}")

    def _copy(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        quote = connection.ops.quote_name
        line = self._line
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.table, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns = ", ".join(quote(c) for c in ["id", *self.columns])
            with cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                for start in range(0, len(rows), 5000):
                    block = [
                        f"{pk}\t{line(row)}\n"
                        for pk, row in zip(
                            ids[start : start + 5000], rows[start : start + 5000], strict=True
                        )
                    ]
                    copy.write("".join(block))
        return ids

    def _executemany(self, tuples: list[tuple]) -> list[int]:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})",  # noqa: S608 (names from the model, quoted)
                tuples,
            )
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
        return list(range(last - len(tuples) + 1, last + 1))
