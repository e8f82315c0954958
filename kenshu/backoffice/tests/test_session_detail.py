"""/staff/sessions/<id>/ (DOMAIN.md §11): a session's roster (learner, organisation,
applicant, source, state, payment state of its invoice), its unassigned inventory seats,
and attendance marked on the ticked learners (reception, administrator)."""

import datetime as dt

import pytest

from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Payment
from kenshu.billing.services import payment_record
from kenshu.cancellation.services import enrollment_cancel
from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services.attendance import enrollment_attendance_mark

from .conftest import many_enrollments, many_learners, move_to_past

pytestmark = pytest.mark.django_db


def url(session) -> str:
    return f"/staff/sessions/{session.pk}/"


@pytest.fixture
def roster(session, apply, buy, group, accountant, django_capture_on_commit_callbacks):
    """山本 (paid), 中村 (awaiting payment), a cancelled one, and 高橋 学 on a seat of
    鈴木 人事's purchase of 3 (2 unassigned)."""
    paid = UserFactory(username="yamamoto", last_name="山本", last_name_kana="ヤマモト")
    unpaid = UserFactory(username="nakamura", last_name="中村", last_name_kana="ナカムラ")
    gone = UserFactory(username="kieta", last_name="取消", last_name_kana="トリケシ")
    paid_place = apply(paid, session)
    unpaid_place = apply(unpaid, session)
    enrollment_cancel(actor=gone, enrollment=apply(gone, session))
    item = buy(group["applicant"], session, 3, assign_to=group["learners"][:1])
    invoice = Invoice.objects.get(order=paid_place.order, kind=Invoice.Kind.INVOICE)
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            actor=accountant,
            invoice=invoice,
            received_on=tokyo_date(),
            amount=invoice.total,
            method=Payment.Method.BANK_TRANSFER,
        )
    return {"paid": paid_place, "unpaid": unpaid_place, "item": item, **group}


def test_the_roster_shows_learners_organisations_applicants_sources_and_payment(
    client, reception, session, roster
):
    client.force_login(reception)
    response = client.get(url(session))
    assert response.status_code == 200
    rows = {e.learner.username: e for e in response.context["page"].object_list}
    assert set(rows) == {"yamamoto", "nakamura", "group-learner1"}  # not the cancelled one
    assert rows["yamamoto"].payment == "paid"
    assert rows["nakamura"].payment == "unpaid"
    assigned = rows["group-learner1"]
    assert assigned.source == Enrollment.Source.INVENTORY
    assert assigned.applicant == roster["applicant"]
    [purchase] = response.context["purchases"]
    assert purchase.unassigned == 2
    html = response.content.decode()
    for text in [
        "山本",
        "中村",
        "高橋 学",
        "株式会社サンプル",
        "鈴木 人事",
        "入金済み",
        "入金待ち",
    ]:
        assert text in html, text
    assert "取消" not in html.split("roster-heading")[1].split("unassigned-heading")[0]


def test_cancelled_enrolments_are_shown_on_request(client, reception, session, roster):
    client.force_login(reception)
    response = client.get(url(session), {"cancelled": "1"})
    names = [e.learner.username for e in response.context["page"].object_list]
    assert names[-1] == "kieta"
    assert len(names) == 4


def test_an_overdue_invoice_shows_on_the_roster(client, reception, session, roster):
    Invoice.objects.filter(order=roster["unpaid"].order).update(
        due_on=tokyo_date() - dt.timedelta(days=1)
    )
    client.force_login(reception)
    response = client.get(url(session))
    rows = {e.learner.username: e for e in response.context["page"].object_list}
    assert rows["nakamura"].payment == "overdue"


def test_an_unknown_session_is_404(client, reception):
    client.force_login(reception)
    assert client.get("/staff/sessions/999999/").status_code == 404


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_roster_costs_the_same_number_of_queries_for_10_and_1000_learners(
    client, reception, django_assert_num_queries, rows, buy, group, apply
):
    session = SessionFactory(capacity=rows + 10)
    many_enrollments(session, many_learners(rows - 2))
    apply(UserFactory(), session)
    buy(group["applicant"], session, 2, assign_to=group["learners"][:1])
    client.force_login(reception)
    # session, user, permissions (2), the session with its fill, roster count and page,
    # cancelled count, unassigned purchases
    with django_assert_num_queries(9):
        response = client.get(url(session))
    assert response.context["page"].paginator.count == rows


# --- attendance -------------------------------------------------------------------------


def mark(client, session, enrollments, state):
    return client.post(
        f"/staff/sessions/{session.pk}/attendance/",
        {"state": state, "enrollment": [e.pk for e in enrollments]},
    )


def test_reception_marks_the_ticked_learners_attended(client, reception, session, roster):
    move_to_past(session)
    client.force_login(reception)
    response = mark(client, session, [roster["paid"], roster["unpaid"]], "attended")
    assert response.status_code == 302
    assert response["Location"] == url(session)
    states = dict(Enrollment.objects.filter(session=session).values_list("pk", "state"))
    assert states[roster["paid"].pk] == states[roster["unpaid"].pk] == "attended"
    assert AuditEntry.objects.filter(action="enrollment.attendance_marked").count() == 2
    page = client.get(url(session)).content.decode()
    assert "2名を「出席」として記録しました" in page


def test_a_refused_mark_changes_nothing_and_says_why(client, reception, session, roster):
    client.force_login(reception)  # the session has not started
    response = mark(client, session, [roster["paid"]], "completed")
    assert response.status_code == 302
    roster["paid"].refresh_from_db()
    assert roster["paid"].state == Enrollment.State.APPLIED
    page = client.get(url(session)).content.decode()
    assert "研修が始まってから記録できます" in page


def test_learners_of_another_session_cannot_be_marked_here(
    client, reception, session, roster, apply
):
    other = SessionFactory(course=session.course)
    stranger = apply(UserFactory(), other)
    move_to_past(session)
    move_to_past(other)
    client.force_login(reception)
    response = mark(client, session, [stranger], "attended")
    assert response.status_code == 200
    assert "enrollment" in response.context["attendance_form"].errors
    stranger.refresh_from_db()
    assert stranger.state == Enrollment.State.APPLIED


def test_the_roster_offers_marking_only_once_started_and_to_those_allowed(
    client, reception, accountant, session, roster
):
    client.force_login(reception)
    assert client.get(url(session)).context["may_mark"] is False
    move_to_past(session)
    assert client.get(url(session)).context["may_mark"] is True
    client.force_login(accountant)
    response = client.get(url(session))
    assert response.context["may_mark"] is False
    assert 'name="enrollment"' not in response.content.decode()


def test_the_roster_shows_completion_dates(client, reception, session, roster):
    move_to_past(session)
    enrollment_attendance_mark(
        actor=reception,
        enrollment=roster["paid"],
        state="completed",
        completed_on=dt.date(2026, 6, 1),
    )
    client.force_login(reception)
    assert "2026-06-01" in client.get(url(session)).content.decode()
