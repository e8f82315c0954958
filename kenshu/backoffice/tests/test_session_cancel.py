"""中止 from the staff area (DOMAIN.md §11, R-CANCEL-6): the page shows who will be
emailed, needs a reason and a confirmation, then calls ``session_cancel`` (full
refunds, emails)."""

import pytest

from kenshu.catalog.models import Session
from kenshu.core.testing import UserFactory
from kenshu.enrollments.models import Enrollment
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db


def url(session) -> str:
    return f"/staff/sessions/{session.pk}/cancel/"


@pytest.fixture
def places(session, apply, buy, group):
    person = UserFactory(username="kojin1", email="kojin1@example.jp")
    apply(person, session)
    buy(group["applicant"], session, 2, assign_to=group["learners"][:1])
    return {"person": person, **group}


def test_the_page_previews_who_will_be_emailed(client, administrator, session, places):
    client.force_login(administrator)
    response = client.get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    for email in ["kojin1@example.jp", "jinji@sample.example.jp", "learner1@sample.example.jp"]:
        assert email in html
    assert "3人にメールを送ります" in html


def test_a_reason_is_required(client, administrator, session, places):
    client.force_login(administrator)
    response = client.post(url(session), {"reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    session.refresh_from_db()
    assert session.state == Session.State.OPEN


def test_the_cancellation_is_confirmed_first(client, administrator, session, places):
    client.force_login(administrator)
    response = client.post(url(session), {"reason": "講師の急病のため"})
    assert response.context["confirming"] is True
    assert 'name="confirmed" value="1"' in response.content.decode()
    session.refresh_from_db()
    assert session.state == Session.State.OPEN


def test_a_confirmed_cancellation_cancels_every_place_and_emails_everyone_once(
    client, administrator, session, places, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(session), {"reason": "講師の急病のため", "confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/sessions/{session.pk}/"
    session.refresh_from_db()
    assert session.state == Session.State.CANCELLED
    assert session.decision_reason == "講師の急病のため"
    assert not Enrollment.objects.filter(session=session, state="applied").exists()
    emailed = list(
        OutboxEmail.objects.filter(template="session_cancelled").values_list("to_email", flat=True)
    )
    assert sorted(emailed) == sorted(
        ["kojin1@example.jp", "jinji@sample.example.jp", "learner1@sample.example.jp"]
    )
    page = client.get(response["Location"]).content.decode()
    assert "中止しました" in page
