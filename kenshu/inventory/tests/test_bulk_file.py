"""Reading a file of learners (issue 5 §4): CSV in CP932 or UTF-8 with or without BOM
(detected), XLSX; Japanese or English headers; clear refusals for an unknown encoding,
missing columns, too many rows and formula cells."""

import time

import pytest

from kenshu.inventory.bulkfile import (
    BulkRow,
    csv_bytes,
    escape_cell,
    read_learner_file,
    template_csv,
)
from kenshu.inventory.exceptions import BulkFileError

from .files import cp932_csv, csv_text, utf8_bom_csv, utf8_csv, xlsx

ROWS = [
    ("山本 さくら", "ヤマモト サクラ", "sakura@sample.example.jp", ""),
    ("髙橋　﨑子", "タカハシ サキコ", "saki@sample.example.jp", "takahashi-s"),  # CP932 extras
]
EXPECTED = [
    BulkRow(2, "山本 さくら", "ヤマモト サクラ", "sakura@sample.example.jp", ""),
    BulkRow(3, "髙橋　﨑子", "タカハシ サキコ", "saki@sample.example.jp", "takahashi-s"),
]


def read(content, name="learners.csv", max_rows=10):
    return read_learner_file(content=content, filename=name, max_rows=max_rows)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (cp932_csv, "learners.csv"),
        (utf8_bom_csv, "learners.csv"),
        (utf8_csv, "learners.csv"),
        (xlsx, "learners.xlsx"),
        (xlsx, "no-extension"),  # recognised by its content
    ],
    ids=["CP932 CSV", "UTF-8 BOM CSV", "UTF-8 CSV", "XLSX", "XLSX without .xlsx"],
)
def test_japanese_names_are_read_from_every_accepted_format(make, name):
    assert read(make(ROWS), name) == EXPECTED


def test_english_headers_in_any_order_and_without_the_user_id_column_are_accepted():
    content = utf8_csv(
        [("sakura@sample.example.jp", "山本 さくら", "ヤマモト サクラ")],
        header=["Email", "Name", "Kana"],
    )
    assert read(content) == [
        BulkRow(2, "山本 さくら", "ヤマモト サクラ", "sakura@sample.example.jp", "")
    ]


def test_blank_lines_are_skipped_and_row_numbers_are_the_files():
    content = ("\r\n" + csv_text([ROWS[0], ("", "", "", ""), ROWS[1]])).encode("utf-8")
    assert [row.line for row in read(content)] == [3, 5]


def test_an_unknown_encoding_is_refused_with_a_clear_message():
    with pytest.raises(BulkFileError) as error:
        read(csv_text(ROWS).encode("utf-16"))
    assert "文字コード" in str(error.value) and "Shift_JIS" in str(error.value)


def test_a_binary_file_is_refused():
    with pytest.raises(BulkFileError):
        read(bytes(range(256)) * 4)


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["氏名", "フリガナ"], "メールアドレス"),
        (["名前", "メール"], "フリガナ"),
        (["a", "b", "c"], "氏名、フリガナ、メールアドレス"),
    ],
)
def test_missing_columns_are_named(header, missing):
    with pytest.raises(BulkFileError) as error:
        read(utf8_csv([("x",) * len(header)], header=header))
    assert missing in str(error.value)


def test_a_header_without_rows_and_an_empty_file_are_refused():
    with pytest.raises(BulkFileError, match="見出し行だけ"):
        read(utf8_csv([]))
    with pytest.raises(BulkFileError, match="空"):
        read(b"")


def test_a_10000_row_file_is_refused_at_once_for_too_many_rows():
    rows = [(f"受講者 {i}", "ジュコウシャ", f"u{i}@sample.example.jp", "") for i in range(10_000)]
    content = cp932_csv(rows)
    started = time.perf_counter()
    with pytest.raises(BulkFileError) as error:
        read(content, max_rows=3)
    assert time.perf_counter() - started < 1.0
    assert "3席" in str(error.value)


def test_a_10000_row_workbook_is_refused_for_too_many_rows():
    rows = [(f"受講者 {i}", "ジュコウシャ", f"u{i}@sample.example.jp", "") for i in range(10_000)]
    with pytest.raises(BulkFileError, match="3名まで"):
        read(xlsx(rows), "big.xlsx", max_rows=3)


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", " =1+1"])
def test_r_formula_cells_make_their_row_an_error(cell):
    (row,) = read(utf8_csv([(cell, "ヤマモト", "sakura@sample.example.jp", "")]))
    assert "数式" in row.error


def test_a_formula_in_a_workbook_is_read_as_the_formula_and_refused():
    (row,) = read(xlsx([('=HYPERLINK("http://x")', "カナ", "a@sample.example.jp", "")]), "f.xlsx")
    assert "数式" in row.error


def test_an_old_excel_file_and_a_broken_workbook_are_refused():
    with pytest.raises(BulkFileError, match=r"\.xls"):
        read(b"\xd0\xcf\x11\xe0 old excel", "old.xls")
    with pytest.raises(BulkFileError, match="Excel"):
        read(b"PK\x03\x04 not really a zip", "broken.xlsx")


def test_a_file_too_large_is_refused():
    with pytest.raises(BulkFileError, match="MB"):
        read(b"a" * (2 * 1024 * 1024 + 1))


def test_exported_cells_that_look_like_formulas_are_escaped():
    assert escape_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert escape_cell("@SUM(A1)") == "'@SUM(A1)"
    assert escape_cell("山本 さくら") == "山本 さくら"
    data = csv_bytes([["氏名"], ["=1+1"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "氏名\r\n'=1+1\r\n"


def test_the_template_is_a_utf8_bom_csv_with_the_japanese_headers():
    content = template_csv()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig") == "氏名,フリガナ,メールアドレス,ユーザーID\r\n"
