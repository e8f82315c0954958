"""Legacy files written by the tests: rows as dicts, files in CP932, UTF-8 with BOM or
plain UTF-8, and the import run through the service or the command."""

import csv
import datetime as dt
import io
from pathlib import Path

from django.core.management import call_command

from kenshu.migration.parsing import BOOKING_COLUMNS, MEMBER_COLUMNS, read_legacy_file
from kenshu.migration.services import legacy_import

ENCODINGS = {"cp932": "cp932", "utf-8-sig": "utf-8-sig", "utf-8": "utf-8"}


def member(n: int = 1, **fields) -> dict:
    """A valid individual member row M{n:04d}."""
    row = {
        "legacy_member_id": f"M{n:04d}",
        "login_id": f"member{n}",
        "email": f"member{n}@example.jp",
        "last_name": "山田",
        "first_name": f"太郎{n}",
        "last_name_kana": "ヤマダ",
        "first_name_kana": "タロウ",
        "member_type": "個人",
        "company_name": "",
        "department": "",
        "phone": "03-1234-5678",
        "postal_code": "100-0001",
        "address": "東京都千代田区千代田1-1",
        "registered_at": "2019-04-01",
    }
    row.update(fields)
    return row


def corporate(n: int = 1, company: str = "株式会社サンプル", **fields) -> dict:
    return member(n, member_type="法人", company_name=company, department="人事部", **fields)


def booking(n: int = 1, member_id: str = "M0001", **fields) -> dict:
    """A live booking B{n:05d} of ``member_id`` for ILC1001 on 2023-11-15 10:00 (for the
    member itself: no participant given)."""
    row = {
        "legacy_booking_id": f"B{n:05d}",
        "legacy_member_id": member_id,
        "course_code": "ILC1001",
        "session_start": "2023-11-15 10:00",
        "participant_name": "",
        "participant_email": "",
        "status": "申込",
        "applied_at": "2023-09-01 12:00",
        "fee": "30000",
    }
    row.update(fields)
    return row


def csv_bytes(columns, rows, encoding: str = "utf-8", *, header=None, newline="\r\n") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header or columns)
    for row in rows:
        writer.writerow(row if isinstance(row, list | tuple) else [row[c] for c in columns])
    return buffer.getvalue().encode(ENCODINGS[encoding])


def members_file(rows, encoding="utf-8", **kwargs) -> bytes:
    return csv_bytes(MEMBER_COLUMNS, rows, encoding, **kwargs)


def bookings_file(rows, encoding="utf-8", **kwargs) -> bytes:
    return csv_bytes(BOOKING_COLUMNS, rows, encoding, **kwargs)


def run(members=(), bookings=(), *, encoding="utf-8", cutoff=dt.date(2023, 11, 1), **kwargs):
    """Write the rows as files in ``encoding``, read them back and import them."""
    members_data = members if isinstance(members, bytes) else members_file(members, encoding)
    bookings_data = bookings if isinstance(bookings, bytes) else bookings_file(bookings, encoding)
    return legacy_import(
        members_rows=read_legacy_file(members_data, kind="members").rows,
        bookings_rows=read_legacy_file(bookings_data, kind="bookings").rows,
        cutoff=cutoff,
        **kwargs,
    )


def write_files(tmp_path: Path, members, bookings, encoding="utf-8") -> tuple[Path, Path]:
    members_path = tmp_path / f"members-{encoding}.csv"
    bookings_path = tmp_path / f"bookings-{encoding}.csv"
    members_path.write_bytes(
        members if isinstance(members, bytes) else members_file(members, encoding)
    )
    bookings_path.write_bytes(
        bookings if isinstance(bookings, bytes) else bookings_file(bookings, encoding)
    )
    return members_path, bookings_path


def command(*args: str) -> tuple[int, str]:
    """``manage.py import_legacy *args``: (exit status, stdout)."""
    out = io.StringIO()
    try:
        call_command("import_legacy", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def problems_of(result, kind="rejected") -> list[tuple]:
    """(file, row, code) of the report lines of ``kind``."""
    return sorted((p.file, p.row, p.code) for p in result.problems if p.kind == kind)
