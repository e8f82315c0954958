"""course_save and session_save: staff writes of the catalogue, each audited
(ARCHITECTURE.md §1, §8); a capacity never below the seats taken (R-APPLY-3)."""

import datetime as dt

import pytest
from django.utils import timezone

from kenshu.audit.models import AuditEntry
from kenshu.catalog.models import Course, Session
from kenshu.catalog.services import course_save, session_save
from kenshu.core.exceptions import Conflict, InvalidState, NotPermitted
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.core.time import tokyo_datetime
from kenshu.enrollments.models import WaitingListEntry

from .helpers import take_seats

pytestmark = pytest.mark.django_db


def new_course(**fields) -> Course:
    values = {
        "code": "NEW100",
        "title": "新任管理職研修",
        "delivery": Course.Delivery.CLASSROOM,
        "fee": 60_000,
        **fields,
    }
    return Course(**values)


def test_course_save_creates_a_course_and_audits_course_created(administrator):
    course = course_save(actor=administrator, course=new_course())
    assert Course.objects.get(code="NEW100") == course
    [entry] = AuditEntry.objects.all()
    assert entry.action == "course.created"
    assert entry.actor == administrator
    assert entry.target == course
    assert entry.data["code"] == "NEW100"
    assert entry.data["fee"] == 60_000


def test_course_save_audits_course_changed_with_the_old_and_new_values(administrator):
    course = CourseFactory(fee=50_000, is_published=False)
    course.fee = 55_000
    course.is_published = True
    course_save(actor=administrator, course=course)
    [entry] = AuditEntry.objects.filter(action="course.changed")
    assert entry.data == {"changes": {"fee": [50_000, 55_000], "is_published": [False, True]}}
    assert entry.actor == administrator


def test_course_save_without_a_change_writes_no_audit_entry(administrator):
    course = CourseFactory()
    course_save(actor=administrator, course=course)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", ["reception", "accountant", "sato"])
def test_only_staff_with_the_permission_may_create_or_change_a_course(request, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(NotPermitted):
        course_save(actor=actor, course=new_course())
    course = CourseFactory(fee=50_000)
    course.fee = 1
    with pytest.raises(NotPermitted):
        course_save(actor=actor, course=course)
    course.refresh_from_db()
    assert course.fee == 50_000
    assert not AuditEntry.objects.exists()


def test_a_course_with_sessions_cannot_become_e_learning(administrator):
    session = SessionFactory()
    course = session.course
    course.delivery = Course.Delivery.ELEARNING
    with pytest.raises(InvalidState) as refused:
        course_save(actor=administrator, course=course)
    assert str(refused.value) == "このコースには日程があるため、eラーニングに変更できません。"
    course.refresh_from_db()
    assert course.delivery == Course.Delivery.CLASSROOM


def test_a_duplicate_course_code_is_a_conflict(administrator):
    CourseFactory(code="DUP1")
    with pytest.raises(Conflict):
        course_save(actor=administrator, course=new_course(code="DUP1"))


def new_session(course, **fields) -> Session:
    starts_at = tokyo_datetime(dt.date(2099, 5, 11), 10)
    values = {
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(hours=7),
        "deadline": starts_at - dt.timedelta(days=3),
        "venue": "名古屋会場",
        "capacity": 12,
        **fields,
    }
    return Session(course=course, **values)


def test_session_save_creates_a_session_and_audits_session_created(administrator):
    course = CourseFactory(code="ILC1234")
    session = session_save(actor=administrator, session=new_session(course))
    assert session.pk is not None
    [entry] = AuditEntry.objects.all()
    assert entry.action == "session.created"
    assert entry.target == session
    assert entry.data["course"] == "ILC1234"
    assert entry.data["capacity"] == 12
    assert entry.data["starts_at"] == "2099-05-11T10:00:00+09:00"


def test_session_save_audits_session_changed_with_the_changed_fields(administrator):
    session = SessionFactory(capacity=20, venue="東京", starts_on=dt.date(2099, 5, 11))
    session.capacity = 25
    session.venue = "大阪"
    session.ends_at = dt.datetime(2099, 5, 11, 9, 0, tzinfo=dt.UTC)  # 18:00 in Tokyo
    session_save(actor=administrator, session=session)
    [entry] = AuditEntry.objects.filter(action="session.changed")
    assert entry.data["changes"] == {
        "ends_at": ["2099-05-11T17:00:00+09:00", "2099-05-11T18:00:00+09:00"],
        "venue": ["東京", "大阪"],
        "capacity": [20, 25],
    }


def test_the_capacity_cannot_go_below_the_seats_taken(administrator):
    session = SessionFactory(capacity=10)
    take_seats(session, 4)
    session.capacity = 3
    with pytest.raises(Conflict) as refused:
        session_save(actor=administrator, session=session)
    assert refused.value.code == "capacity_below_seats_taken"
    assert str(refused.value).startswith("定員は、申込済みの4席")
    session.refresh_from_db()
    assert session.capacity == 10
    assert not AuditEntry.objects.exists()


def test_the_capacity_may_go_down_to_exactly_the_seats_taken(administrator):
    session = SessionFactory(capacity=10)
    take_seats(session, 4)
    session.capacity = 4
    session_save(actor=administrator, session=session)
    session.refresh_from_db()
    assert session.capacity == 4


def test_a_seat_on_offer_to_the_waiting_list_counts_as_taken(administrator):
    session = SessionFactory(capacity=5)
    take_seats(session, 2)
    WaitingListEntry.objects.create(
        session=session,
        user=UserFactory(),
        position=1,
        state=WaitingListEntry.State.OFFERED,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + dt.timedelta(hours=48),
    )
    session.capacity = 2
    with pytest.raises(Conflict):
        session_save(actor=administrator, session=session)


def test_a_cancelled_session_cannot_be_changed(administrator):
    session = SessionFactory(state=Session.State.CANCELLED, venue="東京")
    session.venue = "大阪"
    with pytest.raises(InvalidState):
        session_save(actor=administrator, session=session)


def test_an_e_learning_course_gets_no_session(administrator):
    course = CourseFactory(elearning=True)
    with pytest.raises(InvalidState) as refused:
        session_save(actor=administrator, session=new_session(course))
    assert str(refused.value) == "eラーニングのコースには日程はありません。"
    assert not Session.objects.exists()


@pytest.mark.parametrize("persona", ["reception", "accountant", "sato"])
def test_only_staff_with_the_permission_may_create_or_change_a_session(request, persona):
    actor = request.getfixturevalue(persona)
    course = CourseFactory()
    with pytest.raises(NotPermitted):
        session_save(actor=actor, session=new_session(course))
    session = SessionFactory(course=course, capacity=20)
    session.capacity = 30
    with pytest.raises(NotPermitted):
        session_save(actor=actor, session=session)
    assert not AuditEntry.objects.exists()
