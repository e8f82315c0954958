"""Roster exports (DOMAIN.md §11): CSV that Excel opens in Japanese (UTF-8 with BOM;
CP932 on request, characters it lacks replaced) and XLSX, formula-like cells escaped
with a leading apostrophe; one session, or every session of a date range."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from kenshu.backoffice import exports
from kenshu.core.testing import OrganisationFactory, SessionFactory, UserFactory
from kenshu.core.time import tokyo_date

pytestmark = pytest.mark.django_db


# --- the file formats ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+81-3-1234", "'+81-3-1234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("山田 太郎", "山田 太郎"),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_formula_like_text_is_escaped_with_an_apostrophe(value, written):
    assert exports.escape_formula(value) == written


def test_utf8_csv_starts_with_a_bom_and_round_trips_japanese():
    data = exports.csv_bytes(["氏名"], [["髙橋 〜 𠮷野"], ["=1+1"]], encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["氏名"], ["髙橋 〜 𠮷野"], ["'=1+1"]]


def test_cp932_csv_keeps_windows_characters_maps_look_alikes_and_replaces_the_rest():
    data = exports.csv_bytes(["氏名"], [["髙橋 ①"], ["10〜12時 −5"], ["𠮷野 😀"]], encoding="cp932")
    rows = list(csv.reader(io.StringIO(data.decode("cp932"))))
    assert rows == [["氏名"], ["髙橋 ①"], ["10～12時 －5"], ["?野 ?"]]


def test_xlsx_round_trips_japanese_and_never_writes_a_formula():
    data = exports.xlsx_bytes(
        ["氏名", "日時", "金額"],
        [["山田 太郎", dt.datetime(2026, 5, 11, 10, 0), 55000], ["=1+1", None, -100]],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["氏名", "日時", "金額"]
    assert [c.value for c in sheet[2]] == ["山田 太郎", dt.datetime(2026, 5, 11, 10, 0), 55000]
    assert sheet["A3"].value == "'=1+1"
    assert sheet["A3"].data_type == "s"
    assert sheet["C3"].value == -100


# --- the exports of the staff area --------------------------------------------------------


@pytest.fixture
def learner(db):
    return UserFactory(
        username="watanabe",
        email="watanabe@example.jp",
        last_name="渡邉",
        first_name="髙子",
        last_name_kana="ワタナベ",
        first_name_kana="タカコ",
        corporate=True,
        organisation=OrganisationFactory(name="=1+1 株式会社"),
    )


@pytest.fixture
def place(session, learner, apply):
    return apply(learner, session)


def export(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_a_session_roster_csv_round_trips_a_japanese_name_in_utf8_with_bom(
    client, reception, session, place
):
    client.force_login(reception)
    response = export(client, f"/staff/sessions/{session.pk}/export/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:2] == ["コースコード", "コース名"]
    record = dict(zip(header, row, strict=True))
    assert record["受講者"] == "渡邉 髙子"
    assert record["受講者(フリガナ)"] == "ワタナベ タカコ"
    assert record["会社名"] == "'=1+1 株式会社"
    assert record["申込方法"] == "本人申込"
    assert record["支払状況"] == "入金待ち"
    assert record["研修開始日時"].startswith(f"{tokyo_date(session.starts_at):%Y-%m-%d} 10:00")


def test_a_session_roster_csv_in_cp932(client, reception, session, place):
    client.force_login(reception)
    response = export(client, f"/staff/sessions/{session.pk}/export/", encoding="cp932")
    assert response["Content-Type"] == "text/csv; charset=shift_jis"
    text = response.content.decode("cp932")
    assert "渡邉 髙子" in text
    assert "'=1+1 株式会社" in text


def test_a_session_roster_xlsx_round_trips_a_japanese_name(client, reception, session, place):
    client.force_login(reception)
    response = export(client, f"/staff/sessions/{session.pk}/export/", format="xlsx")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["受講者"] == "渡邉 髙子"
    assert row["会社名"] == "'=1+1 株式会社"
    assert isinstance(row["研修開始日時"], dt.datetime)
    assert sheet.max_row == 2


def test_the_range_export_holds_the_rosters_of_every_session_in_the_range(
    client, reception, session, place, apply
):
    day = tokyo_date(session.starts_at)
    later = SessionFactory(course=session.course, starts_on=day + dt.timedelta(days=1))
    outside = SessionFactory(course=session.course, starts_on=day + dt.timedelta(days=10))
    apply(UserFactory(username="later", last_name="後藤"), later)
    apply(UserFactory(username="outside", last_name="遠藤"), outside)
    client.force_login(reception)
    response = export(
        client,
        "/staff/sessions/export/",
        date_from=day.isoformat(),
        date_to=(day + dt.timedelta(days=1)).isoformat(),
    )
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    user_ids = [dict(zip(header, r, strict=True))["ユーザーID"] for r in rows]
    assert user_ids == ["watanabe", "later"]  # by session start
    assert f"rosters-{day:%Y%m%d}-" in response["Content-Disposition"]


def test_cancelled_enrolments_are_left_out_of_the_export(client, reception, session, place, apply):
    from kenshu.cancellation.services import enrollment_cancel

    gone = UserFactory(username="gone")
    enrollment_cancel(actor=gone, enrollment=apply(gone, session))
    client.force_login(reception)
    response = export(client, f"/staff/sessions/{session.pk}/export/")
    assert "gone" not in response.content.decode("utf-8-sig")
