"""/staff/catalogue/courses/<pk>/sessions/new/ and /staff/catalogue/sessions/<pk>/edit/:
dates typed in Asia/Tokyo, capacity at least 1 and never below the seats taken
(R-APPLY-3), deadline before the start, venue or online link as the delivery needs."""

import datetime as dt

import pytest

from kenshu.audit.models import AuditEntry
from kenshu.catalog.models import Session
from kenshu.core.testing import CourseFactory, SessionFactory

from .helpers import take_seats

pytestmark = pytest.mark.django_db


def session_data(**fields) -> dict:
    return {
        "starts_at": "2099-05-11T10:00",
        "ends_at": "2099-05-11T17:00",
        "deadline": "2099-05-08T17:00",
        "venue": "名古屋会場",
        "online_url": "",
        "capacity": "12",
        **fields,
    }


@pytest.fixture
def course():
    return CourseFactory(code="ILC1234")


def new_url(course) -> str:
    return f"/staff/catalogue/courses/{course.pk}/sessions/new/"


def test_an_administrator_adds_a_session_in_tokyo_time_and_it_is_audited(
    client, administrator, course
):
    client.force_login(administrator)
    response = client.post(new_url(course), session_data())
    assert response.status_code == 302
    assert response["Location"] == f"/staff/catalogue/courses/{course.pk}/"
    session = Session.objects.get(course=course)
    assert session.starts_at == dt.datetime(2099, 5, 11, 1, 0, tzinfo=dt.UTC)  # 10:00 JST
    assert session.deadline == dt.datetime(2099, 5, 8, 8, 0, tzinfo=dt.UTC)
    assert session.state == Session.State.OPEN
    assert AuditEntry.objects.get(action="session.created").actor == administrator
    assert "日程を追加しました。" in client.get(response["Location"]).content.decode()


def test_the_edit_form_shows_the_dates_in_tokyo_time(client, administrator, course):
    session = SessionFactory(course=course, starts_on=dt.date(2099, 5, 11), start_hour=10)
    client.force_login(administrator)
    html = client.get(f"/staff/catalogue/sessions/{session.pk}/edit/").content.decode()
    assert 'value="2099-05-11T10:00"' in html
    assert 'type="datetime-local"' in html


DEADLINE = "申込締切は開始日時より前にしてください。"
BAD_DATETIME = "2026-05-11 10:00 のように日時を入力してください。"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"capacity": "0"}, "capacity", "定員は1以上にしてください。", id="capacity 0"),
        pytest.param(
            {"deadline": "2099-05-11T10:00"}, "deadline", DEADLINE, id="deadline at the start"
        ),
        pytest.param(
            {"deadline": "2099-05-12T10:00"}, "deadline", DEADLINE, id="deadline after the start"
        ),
        pytest.param(
            {"ends_at": "2099-05-11T09:00"},
            "ends_at",
            "終了日時は開始日時より後にしてください。",
            id="ends before it starts",
        ),
        pytest.param(
            {"starts_at": "2099-02-30T10:00"}, "starts_at", BAD_DATETIME, id="impossible date"
        ),
        pytest.param(
            {"starts_at": "0001-01-01T10:00"},
            "starts_at",
            "2000年から2199年までの日付を入力してください。",
            id="year 1",
        ),
        pytest.param(
            {"venue": ""},
            "venue",
            "集合研修の日程には会場が必要です。",
            id="classroom without venue",
        ),
    ],
)
def test_bad_input_is_answered_in_japanese_and_nothing_saved(
    client, administrator, course, fields, field, message
):
    client.force_login(administrator)
    response = client.post(new_url(course), session_data(**fields))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not Session.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_live_session_needs_its_online_link_but_no_venue(client, administrator):
    course = CourseFactory(live=True)
    client.force_login(administrator)
    refused = client.post(new_url(course), session_data(venue=""))
    assert refused.context["form"].errors["online_url"] == [
        "ライブ研修の日程にはオンライン接続先URLが必要です。"
    ]
    accepted = client.post(
        new_url(course), session_data(venue="", online_url="https://meet.example.jp/abc")
    )
    assert accepted.status_code == 302


def test_lowering_the_capacity_below_the_seats_taken_is_refused_with_a_message(
    client, administrator, course
):
    session = SessionFactory(course=course, capacity=10)
    take_seats(session, 6)
    client.force_login(administrator)
    response = client.post(
        f"/staff/catalogue/sessions/{session.pk}/edit/",
        session_data(capacity="5", venue=session.venue),
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["capacity"]
    assert message.startswith("定員は、申込済みの6席")
    session.refresh_from_db()
    assert session.capacity == 10
    assert not AuditEntry.objects.exists()


def test_an_edit_saves_and_audits_the_change(client, administrator, course):
    session = SessionFactory(course=course, capacity=10, starts_on=dt.date(2099, 5, 11))
    client.force_login(administrator)
    response = client.post(
        f"/staff/catalogue/sessions/{session.pk}/edit/",
        session_data(capacity="15", venue="大阪会場"),
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="session.changed")
    assert entry.data["changes"]["capacity"] == [10, 15]
    assert entry.data["changes"]["venue"] == [session.venue, "大阪会場"]


def test_a_cancelled_session_cannot_be_edited(client, administrator, course):
    session = SessionFactory(course=course, state=Session.State.CANCELLED)
    client.force_login(administrator)
    response = client.post(f"/staff/catalogue/sessions/{session.pk}/edit/", session_data())
    assert response.status_code == 200
    assert "この日程は中止されているため、変更できません。" in response.content.decode()


def test_an_e_learning_course_has_no_session_form(client, administrator):
    course = CourseFactory(elearning=True)
    client.force_login(administrator)
    response = client.get(new_url(course))
    assert response.status_code == 302
    assert response["Location"] == f"/staff/catalogue/courses/{course.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "eラーニングのコースには日程はありません。" in page
