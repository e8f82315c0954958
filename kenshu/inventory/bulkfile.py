"""Reading a file of learners for a bulk assignment, and writing spreadsheets safely.

A file is CSV or XLSX (the first sheet), one learner per row after a header row:

| column | header (Japanese or English) | required |
| --- | --- | --- |
| name | 氏名 / 名前 / name | yes (family name, a space, given name) |
| kana | フリガナ / ふりがな / カナ / kana | the column, yes; the cell may be empty |
| email | メールアドレス / メール / email | yes |
| user ID | ユーザーID / user id / user_id | no (the column is optional) |

- CSV encodings are detected: a UTF-8 byte-order mark → UTF-8; else UTF-8 if the
  bytes are valid UTF-8; else CP932 (Shift_JIS as Windows writes it) if valid; anything
  else is refused ("unknown encoding"), as is a file with NUL characters (UTF-16 and
  binary files).
- A file with more learner rows than ``max_rows`` (the purchase's unassigned seats) is
  refused as soon as row ``max_rows + 1`` is read, so a 10,000-row file costs nothing.
- Formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or
  carriage return) is refused: its row is an error row, so nothing of the file is
  applied. Spreadsheets we write (``escape_cell``) neutralise such cells with a
  leading apostrophe instead.
"""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .exceptions import BulkFileError

#: Largest upload accepted (a few thousand rows fit in far less).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Characters that make a spreadsheet cell a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

HEADER_ALIASES = {
    "name": {"氏名", "名前", "お名前", "受講者名", "name", "fullname"},
    "kana": {"フリガナ", "ふりがな", "カナ", "氏名カナ", "kana", "furigana"},
    "email": {"メールアドレス", "メール", "eメール", "email", "emailaddress", "mail"},
    "user_id": {"ユーザーid", "ユーザid", "userid", "loginid", "ログインid"},
}
REQUIRED_COLUMNS = ("name", "kana", "email")
COLUMN_LABELS = {
    "name": "氏名",
    "kana": "フリガナ",
    "email": "メールアドレス",
    "user_id": "ユーザーID",
}
#: The header row of the downloadable template, in this order.
TEMPLATE_HEADER = ["氏名", "フリガナ", "メールアドレス", "ユーザーID"]


@dataclass(frozen=True)
class BulkRow:
    """One learner row of a file: ``line`` is its row number in the file (the header is 1)."""

    line: int
    name: str
    kana: str
    email: str
    user_id: str = ""
    #: A problem found while reading (a formula cell), else "".
    error: str = ""

    def as_list(self) -> list:
        return [self.line, self.name, self.kana, self.email, self.user_id, self.error]

    @classmethod
    def from_list(cls, values: list) -> "BulkRow":
        line, name, kana, email, user_id, error = values
        return cls(int(line), str(name), str(kana), str(email), str(user_id), str(error))


def _header_key(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip().casefold()
    return "".join(ch for ch in text if ch not in " _-・")


def map_header(cells: list) -> dict[str, int]:
    """Column name → index for a header row; raises ``BulkFileError`` for missing columns."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        for name, aliases in HEADER_ALIASES.items():
            if key in {_header_key(a) for a in aliases} and name not in columns:
                columns[name] = index
    missing = [COLUMN_LABELS[name] for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise BulkFileError(
            _(
                "The file has no column %(missing)s. The first row must name the columns: "
                "氏名, フリガナ, メールアドレス (and optionally ユーザーID). Download the "
                "template to see the format."
            ),
            missing="、".join(missing),
        )
    return columns


def looks_like_formula(value: str) -> bool:
    return bool(value) and value.startswith(FORMULA_PREFIXES)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value)


def _cell_at(texts: list[str], index: int | None) -> str:
    return texts[index] if index is not None and index < len(texts) else ""


def _rows_to_learners(rows, *, max_rows: int) -> list[BulkRow]:
    """Header then learner rows (iterables of cell values) → ``BulkRow`` list."""
    columns = None
    learners: list[BulkRow] = []
    for line, cells in enumerate(rows, start=1):
        texts = [_cell_text(c) for c in cells]
        if not any(t.strip() for t in texts):
            continue
        if columns is None:
            columns = map_header(texts)
            continue
        if len(learners) >= max_rows:
            raise BulkFileError(
                _(
                    "The file lists more learners than this purchase has unassigned seats "
                    "(%(max)s). Please assign at most %(max)s learners in one file."
                ),
                max=max_rows,
            )

        raw = {
            name: _cell_at(texts, columns.get(name))
            for name in ("name", "kana", "email", "user_id")
        }
        formula = next(
            (v for v in raw.values() if looks_like_formula(v) or looks_like_formula(v.strip())),
            None,
        )
        error = ""
        if formula is not None:
            error = str(
                _(
                    "The cell “%(cell)s” starts like a spreadsheet formula (= + - @): "
                    "formulas are not accepted. Please type the value itself."
                )
                % {"cell": formula[:40]}
            )
        learners.append(
            BulkRow(
                line=line,
                name=raw["name"].strip(),
                kana=raw["kana"].strip(),
                email=raw["email"].strip(),
                user_id=raw["user_id"].strip(),
                error=error,
            )
        )
    if columns is None:
        raise BulkFileError(_("The file is empty."))
    if not learners:
        raise BulkFileError(_("The file lists no learners (only a header row)."))
    return learners


def decode_csv(content: bytes) -> str:
    """CSV bytes → text: UTF-8 with BOM, UTF-8, or CP932 (Shift_JIS); else refused."""
    if content.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = []  # UTF-16: not one of the accepted encodings
    else:
        encodings = ["utf-8", "cp932"]
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise BulkFileError(
        _(
            "The file's character encoding is unknown. Please save it as CSV in UTF-8 or "
            "Shift_JIS (Excel: “CSV UTF-8” or “CSV”), or as an Excel workbook (.xlsx)."
        )
    )


def _xlsx_rows(content: bytes):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, InvalidFileException) as exc:
        raise BulkFileError(
            _("The file is not a valid Excel workbook (.xlsx). Please check it.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def read_learner_file(*, content: bytes, filename: str, max_rows: int) -> list[BulkRow]:
    """The learner rows of an uploaded CSV or XLSX file (see the module's docstring)."""
    if len(content) > MAX_FILE_BYTES:
        raise BulkFileError(
            _("The file is too large (%(mb)s MB at most)."), mb=MAX_FILE_BYTES // (1024 * 1024)
        )
    if max_rows < 1:
        raise BulkFileError(_("This purchase has no unassigned seat left."))
    name = (filename or "").lower()
    if name.endswith(".xls"):
        raise BulkFileError(
            _("Old Excel files (.xls) cannot be read: please save the file as .xlsx or CSV.")
        )
    if content.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return _rows_to_learners(_xlsx_rows(content), max_rows=max_rows)
    text = decode_csv(content)
    try:
        return _rows_to_learners(csv.reader(io.StringIO(text, newline="")), max_rows=max_rows)
    except csv.Error as exc:
        raise BulkFileError(_("The CSV file cannot be read: %(error)s"), error=str(exc)) from exc


# --- writing -------------------------------------------------------------------------------


def escape_cell(value) -> str:
    """A value safe for a spreadsheet cell: formula-like text gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def csv_bytes(rows: list[list]) -> bytes:
    """Rows as a CSV that Excel opens in Japanese: UTF-8 with BOM, CRLF, cells escaped."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([escape_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def template_csv() -> bytes:
    """The downloadable template: the header row only."""
    return csv_bytes([TEMPLATE_HEADER])
