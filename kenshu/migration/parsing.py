"""Reading the old system's CSV files (DOMAIN.md §10): encoding, header, rows, values.

- Encoding: a UTF-8 byte-order mark → UTF-8 (``utf-8-sig``); else strict UTF-8;
  else CP932 (Shift_JIS as Windows and Excel write it); else a clear error. An
  ``encoding`` given by the caller (``--encoding``) is used as it is.
- Header: the first non-empty line; names are compared after NFKC, trimming and
  lower-casing, in any order. Missing or unexpected columns stop the file with a
  message naming them (nothing can be read reliably from such a file).
- Rows are numbered as Excel shows them (the header is row 1; empty lines count but
  are skipped). A row with too few fields is kept as a rejected row.
- Values: NFKC (full-width digits and letters → ASCII, half-width kana → full-width
  kana, the ideographic space → a space), then leading and trailing spaces removed.
- ``parse_member`` / ``parse_booking`` check one row's values and return a record, or
  the reason (code and parameters of ``problems.MESSAGES``) it is rejected.
"""

import codecs
import csv
import datetime as dt
import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from kenshu.core.time import TOKYO

MEMBER_COLUMNS = (
    "legacy_member_id",
    "login_id",
    "email",
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "member_type",
    "company_name",
    "department",
    "phone",
    "postal_code",
    "address",
    "registered_at",
)
BOOKING_COLUMNS = (
    "legacy_booking_id",
    "legacy_member_id",
    "course_code",
    "session_start",
    "participant_name",
    "participant_email",
    "status",
    "applied_at",
    "fee",
)
COLUMNS = {"members": MEMBER_COLUMNS, "bookings": BOOKING_COLUMNS}

MEMBER_TYPES = {"個人": "individual", "法人": "corporate"}
STATUS_LIVE, STATUS_CANCELLED = "live", "cancelled"
BOOKING_STATUSES = {"申込": STATUS_LIVE, "キャンセル": STATUS_CANCELLED}

#: Field lengths of the new system's rows the values go to.
MAX_LENGTHS = {
    "legacy_member_id": 64,
    "legacy_booking_id": 64,
    "login_id": 150,
    "email": 254,
    "participant_email": 254,
    "last_name": 150,
    "first_name": 150,
    "last_name_kana": 150,
    "first_name_kana": 150,
    "company_name": 200,
    "department": 200,
    "phone": 30,
    "course_code": 20,
}

FILE_ERRORS = {
    "empty": _("%(file)s: the file is empty."),
    "undecodable": _(
        "%(file)s: the file is neither UTF-8 nor Shift_JIS (CP932) and cannot be read "
        "(line %(line)s). Save it as “CSV UTF-8” or “CSV (Shift_JIS)” and try again."
    ),
    "wrong_encoding": _("%(file)s: the file is not valid %(encoding)s (line %(line)s)."),
    "unknown_encoding": _("%(file)s: unknown encoding “%(encoding)s”."),
    "utf16": _(
        "%(file)s: UTF-16 files are not supported. Save it as “CSV UTF-8” or "
        "“CSV (Shift_JIS)” and try again."
    ),
    "not_csv": _("%(file)s: this is not a CSV file that can be read (%(error)s)."),
    "missing_columns": _("%(file)s: missing columns: %(columns)s."),
    "extra_columns": _("%(file)s: unexpected columns: %(columns)s."),
    "duplicate_columns": _("%(file)s: columns named twice: %(columns)s."),
}


class LegacyFileError(Exception):
    """The file as a whole cannot be read: the run stops before anything is written."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)

    def __str__(self) -> str:
        return str(FILE_ERRORS[self.code]) % self.params


@dataclass(slots=True)
class SourceRow:
    """One line of a file: its row number and its normalised values (in the order of
    ``COLUMNS[kind]``), or the reason it could not be split into them."""

    number: int
    values: tuple[str, ...] | None
    error: tuple[str, dict] | None = None


@dataclass
class LegacyFile:
    kind: str
    encoding: str
    rows: list[SourceRow]
    empty_lines: int = 0


# --- encoding -----------------------------------------------------------------------------------


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode_bytes(data: bytes, *, encoding: str | None = None, file: str = "") -> tuple[str, str]:
    """``(text, encoding used)``; raises ``LegacyFileError`` when it cannot be read."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LegacyFileError("utf16", file=file)
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise LegacyFileError("unknown_encoding", file=file, encoding=encoding) from None
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        try:
            return data.decode(codec), encoding
        except UnicodeDecodeError as exc:
            raise LegacyFileError(
                "wrong_encoding", file=file, encoding=encoding, line=_line_of(data, exc.start)
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise LegacyFileError(
                "wrong_encoding", file=file, encoding="UTF-8", line=_line_of(data, exc.start)
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise LegacyFileError("undecodable", file=file, line=_line_of(data, exc.start)) from None


# --- values -------------------------------------------------------------------------------------


def normalise(value: str) -> str:
    """NFKC, then leading and trailing spaces removed (「　１２３ 」 → "123")."""
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


#: Characters whose NFKC form holds a comma, a double quote or a line break (「，」, 「＂」
#: …): in a file holding none of them (nearly every file), the whole text is normalised
#: at once before it is split into fields, which gives the same fields as normalising
#: each field and costs far less. ``tests/test_parsing.py`` checks the list is complete.
CSV_SYNTAX_LOOKALIKES = frozenset(
    "\ufe10\ufe50\uff02\uff0c"
    "\U0001f101\U0001f102\U0001f103\U0001f104\U0001f105"
    "\U0001f106\U0001f107\U0001f108\U0001f109\U0001f10a"
)
_LOOKALIKE = re.compile("[" + "".join(sorted(CSV_SYNTAX_LOOKALIKES)) + "]")


def _header_name(value: str) -> str:
    return normalise(value.replace("\ufeff", "")).lower()


#: Columns whose values repeat from row to row (types, dates, courses, names): each
#: distinct value is kept once in memory, whatever the number of rows holding it.
SHARED_VALUES = {
    "members": {
        "last_name",
        "first_name",
        "last_name_kana",
        "first_name_kana",
        "member_type",
        "company_name",
        "department",
        "postal_code",
        "registered_at",
    },
    "bookings": {
        "course_code",
        "session_start",
        "participant_name",
        "status",
        "applied_at",
        "fee",
    },
}


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, each with its line break (what ``csv.reader`` wants), without
    copying the whole text as ``io.StringIO`` does."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def read_legacy_file(
    source: bytes | str | Path, *, kind: str, encoding: str | None = None
) -> LegacyFile:
    """Read a members or bookings file (bytes, or a path) into numbered, normalised rows."""
    columns = COLUMNS[kind]
    data = source.read_bytes() if isinstance(source, Path) else source
    if isinstance(data, str):
        data = Path(data).read_bytes()
    text, used = decode_bytes(data, encoding=encoding, file=kind)
    del data, source
    whole = not text.isascii() and _LOOKALIKE.search(text) is None
    if whole:
        text = unicodedata.normalize("NFKC", text)
    clean = str.strip if whole else normalise
    reader = csv.reader(_lines(text))
    rows: list[SourceRow] = []
    order: list[int] | None = None
    shared: list[bool] = []
    ids: list[int] = []
    seen: dict[str, str] = {}
    empty = 0
    width = len(columns)
    try:
        for number, fields in enumerate(reader, start=1):
            if not fields or not any(f.strip() for f in fields):
                empty += 1
                continue
            if order is None:
                order = _check_header(fields, columns, kind)
                shared = [c in SHARED_VALUES[kind] for c in columns]
                # Legacy IDs: one string per ID across both files and the database rows.
                ids = [i for i, c in enumerate(columns) if c.startswith("legacy_")]
                continue
            if len(fields) < len(order) or any(f.strip() for f in fields[len(order) :]):
                rows.append(
                    SourceRow(
                        number,
                        None,
                        ("field_count", {"found": len(fields), "expected": width}),
                    )
                )
                continue
            values = [clean(fields[i]) for i in order]
            for i in ids:
                values[i] = sys.intern(values[i])
            rows.append(
                SourceRow(
                    number,
                    tuple(
                        [
                            seen.setdefault(v, v) if keep else v
                            for v, keep in zip(values, shared, strict=True)
                        ]
                    ),
                )
            )
    except csv.Error as exc:
        raise LegacyFileError("not_csv", file=kind, error=str(exc)) from None
    if order is None:
        raise LegacyFileError("empty", file=kind)
    return LegacyFile(kind=kind, encoding=used, rows=rows, empty_lines=empty)


def _check_header(fields: list[str], columns: tuple[str, ...], kind: str) -> list[int]:
    """Positions of ``columns`` in the header; a clear error when they do not match."""
    names = [_header_name(f) for f in fields]
    while names and not names[-1]:
        names.pop()  # trailing empty cells (Excel)
    seen: dict[str, int] = {}
    duplicates = []
    for position, name in enumerate(names):
        if name in seen:
            duplicates.append(name)
        seen.setdefault(name, position)
    missing = [c for c in columns if c not in seen]
    extra = [n or f"#{i + 1}" for i, n in enumerate(names) if n not in columns]
    if missing:
        raise LegacyFileError("missing_columns", file=kind, columns=", ".join(missing))
    if extra:
        raise LegacyFileError("extra_columns", file=kind, columns=", ".join(extra))
    if duplicates:
        raise LegacyFileError("duplicate_columns", file=kind, columns=", ".join(duplicates))
    return [seen[c] for c in columns]


_DATE_FORMATS = (
    # 2023-11-01, 2023/11/01, 2023/1/5, 2023.11.01, each with an optional " 10:00[:00]"
    re.compile(
        r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
        r"(?:(?:\s+|T)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$"
    ),
    # 2023年11月1日, with an optional " 10:00" or "10時00分"
    re.compile(
        r"^(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日"
        r"(?:\s*(\d{1,2})\s*[:時]\s*(\d{1,2})\s*分?(?::(\d{1,2}))?)?$"
    ),
)


def _date_parts(value: str):
    match = next((m for m in (f.match(value) for f in _DATE_FORMATS) if m), None)
    if match is None:
        raise ValueError(value)
    year, month, day, hour, minute, second = match.groups()
    date = dt.date(int(year), int(month), int(day))  # ValueError for 2023-02-30
    if hour is None:
        return date, None
    return date, dt.time(int(hour), int(minute), int(second or 0))


def parse_date_or_datetime(value: str) -> dt.datetime:
    """2023-11-01, 2023/11/01, 2023/1/5, 2023年11月1日, with or without " 10:00[:00]":
    an aware datetime in Asia/Tokyo (00:00 when only a date is given)."""
    date, time = _date_parts(value)
    return dt.datetime.combine(date, time or dt.time(0, 0), tzinfo=TOKYO)


def parse_datetime(value: str) -> dt.datetime:
    """A date with a time (2023-11-01 10:00, 2023/11/01 9:30), aware in Asia/Tokyo."""
    date, time = _date_parts(value)
    if time is None:
        raise ValueError(value)
    return dt.datetime.combine(date, time, tzinfo=TOKYO)


def parse_fee(value: str) -> int:
    """ "30000", "30,000", "¥30,000", "30000円" → 30000; negative or other text: ValueError."""
    text = value.replace(",", "").replace("¥", "").replace("\\", "").replace("円", "").strip()
    if not text.isdigit():
        raise ValueError(value)
    return int(text)


_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")


#: A plain address (letters, digits, ._%+- and a dotted domain with a letter TLD):
#: every one of these passes Django's ``validate_email``, ten times faster; anything
#: else is given to ``validate_email``.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def email_is_valid(value: str) -> bool:
    if len(value) <= 254 and _PLAIN_EMAIL.fullmatch(value) and len(value.split("@")[0]) <= 64:
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def data_hash(values: tuple[str, ...] | list[str]) -> bytes:
    """The fingerprint of a row's normalised values (SHA-256): equal fingerprint →
    unchanged row. (The values are joined with the unit separator, which a legacy value
    never holds.) Stored as hex in ``data_hash``."""
    return hashlib.sha256("\x1f".join(values).encode()).digest()


# --- records ------------------------------------------------------------------------------------


@dataclass(slots=True)
class MemberRecord:
    row: int
    values: tuple[str, ...]
    legacy_id: str
    login_id: str
    email: str
    last_name: str
    first_name: str
    last_name_kana: str
    first_name_kana: str
    user_type: str  # individual / corporate, from member_type
    company_name: str
    department: str
    phone: str
    registered_at: dt.datetime | None
    hash: bytes = b""

    @property
    def data(self) -> dict[str, str]:
        return dict(zip(MEMBER_COLUMNS, self.values, strict=True))

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


@dataclass(slots=True)
class BookingRecord:
    row: int
    values: tuple[str, ...]
    legacy_id: str
    member_id: str
    course_code: str
    session_start: dt.datetime
    participant_name: str
    participant_email: str
    status: str  # STATUS_LIVE / STATUS_CANCELLED
    applied_at: dt.datetime | None
    fee: int | None
    hash: bytes = b""

    @property
    def data(self) -> dict[str, str]:
        return dict(zip(BOOKING_COLUMNS, self.values, strict=True))


Rejection = tuple[str, dict]


_LIMITS = {
    kind: [
        (i, column, MAX_LENGTHS[column]) for i, column in enumerate(cols) if column in MAX_LENGTHS
    ]
    for kind, cols in COLUMNS.items()
}


def _length_problem(kind: str, values: tuple[str, ...]) -> Rejection | None:
    for i, column, limit in _LIMITS[kind]:
        if len(values[i]) > limit:
            return "too_long", {"column": column, "max": limit}
    return None


def parse_member(row: SourceRow) -> MemberRecord | Rejection:
    """Check one members row on its own; the checks across rows come later."""
    if row.error is not None:
        return row.error
    v = row.values
    (legacy_id, login_id, email, last, first, last_kana, first_kana, member_type, company) = v[:9]
    department, phone, _postal, _address, registered = v[9:]
    for column, value in (
        ("legacy_member_id", legacy_id),
        ("login_id", login_id),
        ("email", email),
        ("last_name", last),
        ("member_type", member_type),
    ):
        if not value:
            return "required", {"column": column}
    problem = _length_problem("members", v)
    if problem:
        return problem
    if _CONTROL_OR_SPACE.search(login_id):
        return "invalid_login_id", {"value": login_id}
    if not email_is_valid(email):
        return "invalid_email", {"column": "email", "value": email}
    user_type = MEMBER_TYPES.get(member_type)
    if user_type is None:
        return "unknown_member_type", {"value": member_type}
    if user_type == "corporate" and not company:
        return "company_required", {}
    registered_at = None
    if registered:
        try:
            registered_at = parse_date_or_datetime(registered)
        except ValueError:
            return "invalid_date", {"column": "registered_at", "value": registered}
    return MemberRecord(
        row=row.number,
        values=v,
        legacy_id=legacy_id,
        login_id=login_id,
        email=email,
        last_name=last,
        first_name=first,
        last_name_kana=last_kana,
        first_name_kana=first_kana,
        user_type=user_type,
        company_name=company,
        department=department,
        phone=phone,
        registered_at=registered_at,
        hash=data_hash(v),
    )


def parse_booking(row: SourceRow) -> BookingRecord | Rejection:
    """Check one bookings row on its own; members, courses and sessions come later."""
    if row.error is not None:
        return row.error
    v = row.values
    legacy_id, member_id, code, start, p_name, p_email, status, applied, fee = v
    for column, value in (
        ("legacy_booking_id", legacy_id),
        ("legacy_member_id", member_id),
        ("course_code", code),
        ("session_start", start),
        ("status", status),
    ):
        if not value:
            return "required", {"column": column}
    problem = _length_problem("bookings", v)
    if problem:
        return problem
    try:
        session_start = parse_datetime(start)
    except ValueError:
        return "invalid_datetime", {"column": "session_start", "value": start}
    if p_email and not email_is_valid(p_email):
        return "invalid_email", {"column": "participant_email", "value": p_email}
    state = BOOKING_STATUSES.get(status)
    if state is None:
        return "unknown_status", {"value": status}
    applied_at = None
    if applied:
        try:
            applied_at = parse_date_or_datetime(applied)
        except ValueError:
            return "invalid_datetime", {"column": "applied_at", "value": applied}
    amount = None
    if fee:
        try:
            amount = parse_fee(fee)
        except ValueError:
            return "invalid_fee", {"value": fee}
    return BookingRecord(
        row=row.number,
        values=v,
        legacy_id=legacy_id,
        member_id=member_id,
        course_code=code.upper(),
        session_start=session_start,
        participant_name=p_name,
        participant_email=p_email,
        status=state,
        applied_at=applied_at,
        fee=amount,
        hash=data_hash(v),
    )
