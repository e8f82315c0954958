"""Reading the legacy files (DOMAIN.md §10): encodings, header, rows, values.

Bad input of issue 7: wrong encoding, missing or extra columns, empty lines, dates in
other formats, full-width digits, half-width kana, trailing spaces."""

import codecs
import datetime as dt
import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from kenshu.core.time import TOKYO
from kenshu.migration import parsing
from kenshu.migration.parsing import (
    BOOKING_COLUMNS,
    MEMBER_COLUMNS,
    LegacyFileError,
    parse_booking,
    parse_date_or_datetime,
    parse_datetime,
    parse_fee,
    parse_member,
    read_legacy_file,
)

from .helpers import booking, bookings_file, corporate, member, members_file


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_the_encoding_is_detected_and_japanese_is_read_right(encoding):
    data = members_file([corporate(1, company="株式会社サンプル")], encoding)
    legacy = read_legacy_file(data, kind="members")
    assert legacy.encoding == encoding
    (row,) = legacy.rows
    values = dict(zip(MEMBER_COLUMNS, row.values, strict=True))
    assert values["company_name"] == "株式会社サンプル"
    assert values["member_type"] == "法人"
    assert values["legacy_member_id"] == "M0001"  # no BOM glued to the first column


def test_a_file_in_neither_utf8_nor_cp932_is_refused_with_a_clear_message():
    data = members_file([member(1)], "utf-8") + b"M0002,\x81\x7f\r\n"
    with pytest.raises(LegacyFileError) as error:
        read_legacy_file(data, kind="members")
    assert error.value.code == "undecodable"
    assert "UTF-8" in str(error.value) and "CP932" in str(error.value)


def test_a_utf16_file_is_refused_by_name():
    data = codecs.BOM_UTF16_LE + "legacy_member_id".encode("utf-16-le")
    with pytest.raises(LegacyFileError) as error:
        read_legacy_file(data, kind="members")
    assert error.value.code == "utf16"


def test_a_given_encoding_is_used_and_a_wrong_one_is_reported_with_the_line():
    data = members_file([member(1), member(2, last_name="髙橋")], "cp932")
    assert read_legacy_file(data, kind="members", encoding="cp932").rows[1].values[3] == "髙橋"
    with pytest.raises(LegacyFileError) as error:
        read_legacy_file(data, kind="members", encoding="utf-8")
    assert error.value.code == "wrong_encoding" and error.value.params["line"] == 2
    with pytest.raises(LegacyFileError) as error:
        read_legacy_file(data, kind="members", encoding="no-such-codec")
    assert error.value.code == "unknown_encoding"


def test_missing_and_extra_columns_are_named():
    header = [c for c in MEMBER_COLUMNS if c not in ("phone", "email")]
    with pytest.raises(LegacyFileError) as error:
        read_legacy_file(members_file([], header=header), kind="members")
    assert error.value.code == "missing_columns"
    assert "email, phone" in str(error.value)

    with pytest.raises(LegacyFileError) as error:
        read_legacy_file(members_file([], header=[*MEMBER_COLUMNS, "fax"]), kind="members")
    assert error.value.code == "extra_columns" and "fax" in str(error.value)


def test_columns_may_come_in_any_order_with_spaces_and_capitals_in_their_names():
    header = [f" {c.upper()} " for c in reversed(BOOKING_COLUMNS)]
    row = list(reversed([booking(1)[c] for c in BOOKING_COLUMNS]))
    legacy = read_legacy_file(bookings_file([row], header=header), kind="bookings")
    assert legacy.rows[0].values[0] == "B00001"
    assert legacy.rows[0].values[2] == "ILC1001"


def test_an_empty_file_is_refused():
    with pytest.raises(LegacyFileError) as error:
        read_legacy_file(b"\r\n\r\n", kind="members")
    assert error.value.code == "empty"


def test_empty_lines_are_skipped_and_rows_keep_the_numbers_excel_shows():
    data = (
        members_file([member(1)])
        + b"\r\n,,,,,,,,,,,,,\r\n"
        + members_file([member(2)]).split(b"\r\n", 1)[1]
    )
    legacy = read_legacy_file(data, kind="members")
    assert [r.number for r in legacy.rows] == [2, 5]
    assert legacy.empty_lines == 2


def test_a_row_with_too_few_fields_is_kept_as_a_rejected_row():
    data = members_file([member(1), ["M0002", "short"]])
    legacy = read_legacy_file(data, kind="members")
    assert legacy.rows[1].values is None
    assert legacy.rows[1].error == ("field_count", {"found": 2, "expected": 14})
    assert parse_member(legacy.rows[1]) == legacy.rows[1].error


def test_trailing_empty_cells_are_accepted_but_extra_values_are_not():
    row = [member(1)[c] for c in MEMBER_COLUMNS]
    legacy = read_legacy_file(members_file([[*row, "", ""], [*row, "x"]]), kind="members")
    assert legacy.rows[0].error is None
    assert legacy.rows[1].error[0] == "field_count"


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_values_are_folded_full_width_digits_half_width_kana_and_spaces(encoding):
    row = member(
        1,
        legacy_member_id="Ｍ００４２ ",
        login_id="ｔａｎａｋａ　",
        email="tanaka@example.jp   ",
        last_name="　田中",
        last_name_kana="ﾀﾅｶ",
        first_name_kana="ｼﾞﾛｳ",
        phone="０３－１２３４－５６７８",
        registered_at="２０２３／１／５",
    )
    (source,) = read_legacy_file(members_file([row], encoding), kind="members").rows
    record = parse_member(source)
    assert record.legacy_id == "M0042"
    assert record.login_id == "tanaka"
    assert record.email == "tanaka@example.jp"
    assert record.last_name == "田中"
    assert record.last_name_kana == "タナカ"
    assert record.first_name_kana == "ジロウ"
    assert record.phone == "03-1234-5678"
    assert record.registered_at == dt.datetime(2023, 1, 5, tzinfo=TOKYO)


def test_a_full_width_comma_inside_a_value_stays_inside_it():
    """A file holding 「，」 is folded value by value (NFKC would turn it into a comma)."""
    row = corporate(1, company="株式会社Ａ，Ｂ")
    (source,) = read_legacy_file(members_file([row], "cp932"), kind="members").rows
    assert parse_member(source).company_name == "株式会社A,B"


def test_the_list_of_csv_syntax_lookalikes_is_complete():
    found = {
        char
        for char in map(chr, range(0x80, sys.maxunicode + 1))
        if unicodedata.decomposition(char)
        and any(c in unicodedata.normalize("NFKC", char) for c in ',"\r\n')
    }
    assert found == parsing.CSV_SYNTAX_LOOKALIKES


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-11-01", dt.datetime(2023, 11, 1, tzinfo=TOKYO)),
        ("2023/11/01", dt.datetime(2023, 11, 1, tzinfo=TOKYO)),
        ("2023/1/5", dt.datetime(2023, 1, 5, tzinfo=TOKYO)),
        ("2023.1.5", dt.datetime(2023, 1, 5, tzinfo=TOKYO)),
        ("2023年11月1日", dt.datetime(2023, 11, 1, tzinfo=TOKYO)),
        ("2023-11-01 09:30", dt.datetime(2023, 11, 1, 9, 30, tzinfo=TOKYO)),
        ("2023/11/1 9:30:15", dt.datetime(2023, 11, 1, 9, 30, 15, tzinfo=TOKYO)),
        ("2023-11-01T10:00", dt.datetime(2023, 11, 1, 10, 0, tzinfo=TOKYO)),
        ("2023年11月1日 10時00分", dt.datetime(2023, 11, 1, 10, 0, tzinfo=TOKYO)),
    ],
)
def test_dates_in_the_usual_japanese_formats_are_read_in_tokyo_time(text, expected):
    assert parse_date_or_datetime(text) == expected


@pytest.mark.parametrize(
    "text", ["2023-02-30", "01/11/2023", "2023-11", "昨日", "2023-11-0110:00", "2023-11-01 25:00"]
)
def test_other_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date_or_datetime(text)


def test_a_session_start_needs_a_time():
    assert parse_datetime("2023/11/15 10:00") == dt.datetime(2023, 11, 15, 10, tzinfo=TOKYO)
    with pytest.raises(ValueError):
        parse_datetime("2023/11/15")


@pytest.mark.parametrize(
    "text, amount", [("30000", 30000), ("30,000", 30000), ("¥30,000", 30000), ("30000円", 30000)]
)
def test_fees_are_read_with_separators_and_currency_marks(text, amount):
    assert parse_fee(text) == amount


@pytest.mark.parametrize("text", ["-100", "30000.5", "三万円", "free"])
def test_other_fees_are_refused(text):
    with pytest.raises(ValueError):
        parse_fee(text)


@pytest.mark.parametrize(
    "address",
    [
        "taro@example.jp",
        "taro.yamada+kenshu@mail.example.co.jp",
        "a@b.cd",
        "taro..yamada@example.jp",
        ".taro@example.jp",
        "taro@example",
        "taro@-example.jp",
        "taro@example.j",
        "taro@example.123",
        "山田@example.jp",
        "taro@例え.jp",
        "o'brien@example.jp",
        "taro@@example.jp",
        "taro@example.jp.",
        "",
        "x" * 65 + "@example.jp",
        "taro@" + "a" * 250 + ".jp",
    ],
)
def test_the_quick_email_check_agrees_with_djangos_validator(address):
    try:
        validate_email(address)
        expected = True
    except ValidationError:
        expected = False
    assert parsing.email_is_valid(address) is expected


def _rejection(row: dict, kind="members"):
    data = members_file([row]) if kind == "members" else bookings_file([row])
    (source,) = read_legacy_file(data, kind=kind).rows
    result = (parse_member if kind == "members" else parse_booking)(source)
    assert isinstance(result, tuple), result
    return result[0]


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"email": "taro@"}, "invalid_email"),
        ({"email": ""}, "required"),
        ({"login_id": ""}, "required"),
        ({"login_id": "yamada taro"}, "invalid_login_id"),
        ({"member_type": "団体"}, "unknown_member_type"),
        ({"member_type": "法人", "company_name": ""}, "company_required"),
        ({"registered_at": "01/04/2019"}, "invalid_date"),
        ({"last_name": "山" * 151}, "too_long"),
        ({"legacy_member_id": ""}, "required"),
    ],
)
def test_a_bad_members_row_gets_its_reason(fields, code):
    assert _rejection(member(1, **fields)) == code


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"session_start": "2023-11-15"}, "invalid_datetime"),
        ({"session_start": "15/11/2023 10:00"}, "invalid_datetime"),
        ({"applied_at": "yesterday"}, "invalid_datetime"),
        ({"status": "保留"}, "unknown_status"),
        ({"fee": "abc"}, "invalid_fee"),
        ({"participant_email": "not-an-address"}, "invalid_email"),
        ({"legacy_member_id": ""}, "required"),
        ({"course_code": ""}, "required"),
    ],
)
def test_a_bad_bookings_row_gets_its_reason(fields, code):
    assert _rejection(booking(1, **fields), kind="bookings") == code


def test_a_course_code_is_read_in_capitals():
    (source,) = read_legacy_file(
        bookings_file([booking(1, course_code="ｉｌｃ1001")]), kind="bookings"
    ).rows
    assert parse_booking(source).course_code == "ILC1001"
