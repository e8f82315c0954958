"""開催決定 (DOMAIN.md §3, §8, §11): ``session_confirm`` (open → confirmed, decided,
audited) emails every learner and applicant of the session once; the staff page shows
who will be emailed and asks for a confirmation first."""

import pytest
from django.core import mail

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.cancellation.services import enrollment_cancel, session_cancel
from kenshu.catalog.models import Session
from kenshu.catalog.services import session_confirm, session_recipients
from kenshu.core.exceptions import InvalidState, NotPermitted
from kenshu.core.testing import UserFactory, make_staff
from kenshu.notifications.models import OutboxEmail

from .conftest import move_to_past

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(session, apply, buy, group):
    """Two individuals applied for themselves (a third cancelled); a group applicant
    bought 3 seats and assigned two to its learners."""
    first = UserFactory(username="kojin1", email="kojin1@example.jp", last_name="山本")
    second = UserFactory(username="kojin2", email="kojin2@example.jp", last_name="中村")
    gone = UserFactory(username="kojin3", email="kojin3@example.jp")
    apply(first, session)
    apply(second, session)
    cancelled = apply(gone, session)
    enrollment_cancel(actor=gone, enrollment=cancelled)
    buy(group["applicant"], session, 3, assign_to=group["learners"])
    return {"individuals": [first, second], "gone": gone, **group}


def confirmed_emails():
    return OutboxEmail.objects.filter(template="session_confirmed")


def test_confirming_emails_each_learner_and_applicant_once(
    administrator, session, places, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_confirm(actor=administrator, session=session, reason="最少催行人数に達した")

    expected = sorted(
        [u.email for u in places["individuals"]]
        + [places["applicant"].email]
        + [u.email for u in places["learners"]]
    )
    assert sorted(confirmed_emails().values_list("to_email", flat=True)) == expected
    assert sorted(m.to[0] for m in mail.outbox) == expected  # really sent, once each
    to_applicant = confirmed_emails().get(to_email=places["applicant"].email)
    assert to_applicant.context["as_learner"] is False
    assert to_applicant.context["seats"] == 3
    assert sorted(to_applicant.context["learners"]) == ["高橋 光", "高橋 学"]
    message = next(m for m in mail.outbox if m.to == [places["applicant"].email])
    assert "開催決定" in message.subject
    assert "高橋 学" in message.body and "ILC1234" in message.body
    assert "最少催行人数" not in message.body  # the reason is an internal note


def test_confirming_decides_the_session_and_is_audited(administrator, session, places):
    session_confirm(actor=administrator, session=session, reason="  催行決定  ")

    session.refresh_from_db()
    assert session.state == Session.State.CONFIRMED
    assert session.decided_by == administrator
    assert session.decided_at is not None
    assert session.decision_reason == "催行決定"
    entry = AuditEntry.objects.get(action="session.confirmed")
    assert entry.actor == administrator and entry.target == session
    assert len(entry.data["emailed"]) == 5


def test_a_session_is_confirmed_once_and_nobody_is_emailed_twice(administrator, session, places):
    session_confirm(actor=administrator, session=session)
    with pytest.raises(InvalidState) as refused:
        session_confirm(actor=administrator, session=session)
    assert refused.value.code == "session_not_open"
    assert confirmed_emails().count() == 5


def test_a_cancelled_session_cannot_be_confirmed(administrator, session, places):
    session_cancel(actor=administrator, session=session, reason="講師の急病のため")
    with pytest.raises(InvalidState) as refused:
        session_confirm(actor=administrator, session=session)
    assert refused.value.code == "session_cancelled"
    assert not confirmed_emails().exists()


def test_a_session_that_has_started_cannot_be_confirmed(administrator, session):
    move_to_past(session)
    with pytest.raises(InvalidState) as refused:
        session_confirm(actor=administrator, session=session)
    assert refused.value.code == "session_started"


@pytest.mark.parametrize("role", [roles.RECEPTION, roles.ACCOUNTING])
def test_only_staff_who_may_change_sessions_confirm_them(session, places, role):
    with pytest.raises(NotPermitted):
        session_confirm(actor=make_staff(role), session=session)
    session.refresh_from_db()
    assert session.state == Session.State.OPEN


def test_the_preview_lists_exactly_whom_the_service_emails(session, places):
    people = session_recipients(session)
    assert {p["user"].pk for p in people} == {
        *(u.pk for u in places["individuals"]),
        places["applicant"].pk,
        *(u.pk for u in places["learners"]),
    }
    assert places["gone"].pk not in {p["user"].pk for p in people}


# --- the staff page -----------------------------------------------------------------------


def url(session) -> str:
    return f"/staff/sessions/{session.pk}/confirm/"


def test_the_page_shows_who_will_be_emailed(client, administrator, session, places):
    client.force_login(administrator)
    response = client.get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "5人にメールを送ります" in html
    for user in [*places["individuals"], places["applicant"], *places["learners"]]:
        assert user.email in html
    assert "kojin3@example.jp" not in html


def test_the_decision_is_confirmed_first_and_nothing_happens_before(
    client, administrator, session, places, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(session), {"reason": "催行決定"})
    assert response.status_code == 200
    assert response.context["confirming"] is True
    assert 'name="confirmed" value="1"' in response.content.decode()
    session.refresh_from_db()
    assert session.state == Session.State.OPEN
    assert not confirmed_emails().exists()


def test_a_confirmed_decision_holds_the_session_and_emails_everyone(
    client, administrator, session, places, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(session), {"reason": "催行決定", "confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/sessions/{session.pk}/"
    session.refresh_from_db()
    assert session.state == Session.State.CONFIRMED
    assert confirmed_emails().count() == 5
    page = client.get(response["Location"])
    assert "開催決定" in page.content.decode()


def test_a_refusal_is_shown_as_a_message(client, administrator, session):
    move_to_past(session)
    client.force_login(administrator)
    response = client.post(url(session), {"confirmed": "1"}, follow=True)
    assert "すでに始まっています" in response.content.decode()
    session.refresh_from_db()
    assert session.state == Session.State.OPEN
