"""Roster exports that Excel opens correctly in Japanese (DOMAIN.md §11, ARCHITECTURE.md).

- CSV in UTF-8 with a BOM (Excel then reads the Japanese right), or in CP932
  (Shift_JIS as Windows writes it) for older tools. CP932 cannot hold every
  character: a few that have a CP932 look-alike are mapped to it first (〜 WAVE
  DASH → ～, − MINUS SIGN → －, ‖ → ∥, — EM DASH → ―, ¢ £ ¬ → ￠ ￡ ￢), and any
  other character outside CP932 (e.g. 𠮷, emoji) becomes ``?``.
- XLSX through openpyxl.
- Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return would run as a formula in a spreadsheet; it is written with a
  leading apostrophe (``'=1+1``), which spreadsheets show as text. Numbers and
  dates are written as such.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

#: The first characters that make a spreadsheet cell a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

UTF8_BOM = "utf-8-sig"
CP932 = "cp932"
ENCODINGS = (UTF8_BOM, CP932)

#: Characters outside CP932 that have a CP932 look-alike (JIS X 0208 vs Windows).
CP932_LOOKALIKES = str.maketrans(
    {
        "\u301c": "\uff5e",  # 〜 WAVE DASH → ～ FULLWIDTH TILDE
        "\u2016": "\u2225",  # ‖ DOUBLE VERTICAL LINE → ∥ PARALLEL TO
        "\u2212": "\uff0d",  # − MINUS SIGN → － FULLWIDTH HYPHEN-MINUS
        "\u2014": "\u2015",  # — EM DASH → ― HORIZONTAL BAR
        "\u00a2": "\uffe0",  # ¢ → ￠
        "\u00a3": "\uffe1",  # £ → ￡
        "\u00ac": "\uffe2",  # ¬ → ￢
    }
)

Cell = str | int | dt.date | dt.datetime | None


def escape_formula(value: Cell) -> Cell:
    """A text that a spreadsheet would read as a formula, made plain text with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, encoding: str) -> bytes:
    """The table as CSV (CRLF line ends, every text cell escaped) in ``encoding``:
    ``utf-8-sig`` (with BOM) or ``cp932`` (characters outside it replaced)."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unsupported encoding {encoding!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_text(escape_formula(h)) for h in header])
    for row in rows:
        writer.writerow([_text(escape_formula(value)) for value in row])
    text = buffer.getvalue()
    if encoding == CP932:
        return text.translate(CP932_LOOKALIKES).encode(CP932, errors="replace")
    return text.encode(UTF8_BOM)


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str = "Roster"
) -> bytes:
    """The table as an XLSX workbook of one sheet (header bold and frozen)."""
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([escape_formula(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) * 2 + 2 for h in header]
    for row in rows:
        values = [escape_formula(value) for value in row]
        sheet.append(values)
        for index, value in enumerate(values):
            widths[index] = max(widths[index], min(len(_text(value)) * 2 + 2, 60))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
