"""Cancelling one's own enrolment from My Account (R-CANCEL-1, R-CANCEL-5, R-TYPE):
the "cancel" button, the preview (tier, rate, fee, tax, documents, date computed for),
the confirmation (POST, CSRF), the done page; who is refused, told why and whom to ask;
a forged POST is 403 and audited."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kenshu.audit.models import AuditEntry
from kenshu.cancellation.tests.helpers import (
    apply,
    buy_seats,
    first_day_after_business_days,
)
from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

LIST = "/account/enrollments/"


def cancel_url(enrollment) -> str:
    return f"/account/enrollments/{enrollment.pk}/cancel/"


def confirm(client, enrollment, **data):
    data.setdefault("computed_for", tokyo_date().isoformat())
    data.setdefault("confirm", "on")
    return client.post(cancel_url(enrollment), data)


@pytest.fixture
def group(db):
    applicant = UserFactory(group_applicant=True, last_name="田中", first_name="課長")
    learner = UserFactory(group_learner=True, organisation=applicant.organisation)
    return applicant, learner


@pytest.fixture
def fifty_percent(db):
    """A session 5 business days ahead: cancelling today costs 50 %."""
    return SessionFactory(
        starts_on=first_day_after_business_days(5),
        course__code="ILC1234",
        course__title="ビジネス文書研修",
        course__fee=50_000,
    )


def test_my_applications_offer_a_cancel_button_for_a_live_enrolment(client, learner, session):
    enrollment = apply(learner, session)
    client.force_login(learner)
    html = client.get(LIST).content.decode()
    assert f'href="{cancel_url(enrollment)}"' in html


def test_a_cancelled_enrolment_has_no_button_but_its_fee(client, learner, fifty_percent):
    enrollment = apply(learner, fifty_percent)
    client.force_login(learner)
    confirm(client, enrollment)
    html = client.get(LIST).content.decode()
    assert f'href="{cancel_url(enrollment)}"' not in html
    assert "25,000円" in html


def test_the_preview_shows_the_tier_rate_fee_tax_total_documents_and_date(
    client, learner, fifty_percent
):
    enrollment = apply(learner, fifty_percent)
    client.force_login(learner)
    response = client.get(cancel_url(enrollment))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.rate, preview.fee, preview.fee_tax, preview.fee_total) == (
        50,
        25_000,
        2_500,
        27_500,
    )
    assert preview.computed_for == tokyo_date()
    html = response.content.decode()
    today = tokyo_date()
    assert f"{today.year}年{today.month}月{today.day}日" in html
    assert "初日の7〜3営業日前" in html
    assert "27,500円" in html
    assert "55,000円" in html  # the credit note of the invoice
    assert 'name="csrfmiddlewaretoken"' in html
    assert Enrollment.objects.get(pk=enrollment.pk).is_live  # a GET changes nothing


def test_confirming_cancels_and_redirects_to_the_done_page(client, learner, fifty_percent):
    enrollment = apply(learner, fifty_percent)
    client.force_login(learner)
    response = confirm(client, enrollment, reason="業務都合")
    assert response.status_code == 302
    assert response["Location"] == f"/account/enrollments/{enrollment.pk}/cancel/done/"
    enrollment.refresh_from_db()
    assert enrollment.state == Enrollment.State.CANCELLED
    assert enrollment.cancellation_reason == "業務都合"
    done = client.get(response["Location"]).content.decode()
    assert "CRN-" in done and "FEE-" in done
    assert OutboxEmail.objects.filter(template="cancellation_done", to_email=learner.email).exists()


def test_without_the_confirmation_box_nothing_is_cancelled(client, learner, fifty_percent):
    enrollment = apply(learner, fifty_percent)
    client.force_login(learner)
    response = client.post(cancel_url(enrollment), {"computed_for": tokyo_date().isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_a_preview_of_another_day_is_shown_again_before_cancelling(client, learner, fifty_percent):
    enrollment = apply(learner, fifty_percent)
    client.force_login(learner)
    yesterday = (tokyo_date() - dt.timedelta(days=1)).isoformat()
    response = confirm(client, enrollment, computed_for=yesterday)
    assert response.status_code == 302
    assert response["Location"] == cancel_url(enrollment)
    assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_the_post_needs_a_csrf_token(learner, session):
    enrollment = apply(learner, session)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(
        cancel_url(enrollment), {"computed_for": tokyo_date().isoformat(), "confirm": "on"}
    )
    assert response.status_code == 403
    assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_someone_else_s_enrolment_is_404(client, learner, session):
    enrollment = apply(learner, session)
    client.force_login(UserFactory())
    assert client.get(cancel_url(enrollment)).status_code == 404
    assert confirm(client, enrollment).status_code == 404
    assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_a_visitor_is_sent_to_log_in(client, learner, session):
    enrollment = apply(learner, session)
    response = client.get(cancel_url(enrollment))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_R_TYPE_a_group_learner_is_told_to_ask_its_applicant(client, group, session):
    applicant, learner = group
    item = buy_seats(applicant, session, 1, assign_to=[learner])
    enrollment = item.seats.get().enrollment
    client.force_login(learner)

    listing = client.get(LIST).content.decode()
    assert f'href="{cancel_url(enrollment)}"' not in listing
    assert "田中 課長" in listing and applicant.organisation.name in listing

    page = client.get(cancel_url(enrollment))
    assert page.context["refusal"].code == "ask_applicant"
    assert page.context["preview"] is None
    assert "田中 課長" in page.content.decode()


def test_R_CANCEL_1_a_forged_post_by_a_group_learner_is_403_and_audited(client, group, session):
    applicant, learner = group
    item = buy_seats(applicant, session, 1, assign_to=[learner])
    enrollment = item.seats.get().enrollment
    client.force_login(learner)
    assert confirm(client, enrollment).status_code == 403
    assert Enrollment.objects.get(pk=enrollment.pk).is_live
    assert AuditEntry.objects.filter(
        action="enrollment.cancel_refused", actor=learner, target_id=str(enrollment.pk)
    ).exists()


def test_R_CANCEL_1_a_group_applicant_s_inventory_seat_links_to_a_request(client, group, session):
    applicant, _learner = group
    item = buy_seats(applicant, session, 1, assign_to=[applicant])
    enrollment = item.seats.get().enrollment
    client.force_login(applicant)
    request_link = f'href="/requests/cancellation/?enrollment={enrollment.pk}"'
    assert request_link in client.get(LIST).content.decode()
    assert request_link in client.get(cancel_url(enrollment)).content.decode()
    assert confirm(client, enrollment).status_code == 403
    assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_R_CANCEL_1_a_group_applicant_cancels_its_own_enrolment_on_the_web(client, group, session):
    applicant, _learner = group
    enrollment = apply(applicant, session)
    client.force_login(applicant)
    assert confirm(client, enrollment).status_code == 302
    assert Enrollment.objects.get(pk=enrollment.pk).state == Enrollment.State.CANCELLED


def test_the_done_page_of_a_live_enrolment_goes_back_to_the_preview(client, learner, session):
    enrollment = apply(learner, session)
    client.force_login(learner)
    response = client.get(f"/account/enrollments/{enrollment.pk}/cancel/done/")
    assert response.status_code == 302
    assert response["Location"] == cancel_url(enrollment)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    return len(captured)


def test_the_cancel_buttons_cost_no_query_per_row(client, group):
    applicant, learner = group
    # A group learner's rows name their applicant: read with the same query.
    buy_seats(applicant, SessionFactory(), 1, assign_to=[learner])
    client.force_login(learner)
    one = _queries(client)
    for _ in range(5):
        buy_seats(applicant, SessionFactory(), 1, assign_to=[learner])
    assert _queries(client) == one
