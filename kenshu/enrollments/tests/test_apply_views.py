"""/apply/session/<id>/, /apply/course/<code>/ and /apply/done/<number>/ (R-APPLY-1,
R-APPLY-4, R-TYPE-2): the confirmation, the refusals, post/redirect/get, CSRF."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from kenshu.billing.models import Order
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.enrollments.models import Enrollment, WaitingListEntry
from kenshu.enrollments.services import enrollment_apply

pytestmark = pytest.mark.django_db


def url(session):
    return f"/apply/session/{session.pk}/"


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def action_box(html):
    """The part of the confirmation page where the apply button would be."""
    return html.split('id="action-heading"')[1].split("</section>")[0]


def test_the_urls_are_the_public_ones_of_domain_14():
    from django.urls import reverse

    assert reverse("enrollments:apply_session", args=[7]) == "/apply/session/7/"
    assert reverse("enrollments:apply_course", args=["EL100"]) == "/apply/course/EL100/"
    assert reverse("enrollments:apply_done", args=["A00000001"]) == "/apply/done/A00000001/"
    assert reverse("enrollments:my_enrollments") == "/account/enrollments/"
    assert reverse("enrollments:session_calendar", args=[7]) == "/apply/session/7/calendar.ics"


def test_a_visitor_is_sent_to_log_in_and_back(client, session):
    response = client.get(url(session))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/apply/session/{session.pk}/"


def test_the_confirmation_shows_course_date_venue_fee_tax_total_payment_and_tiers(client, learner):
    first_day = dt.date(2030, 6, 14)  # a Friday
    session = SessionFactory(
        starts_on=first_day, course__code="ILC1234", course__title="ビジネス文書研修"
    )
    client.force_login(learner)
    response = client.get(url(session))
    assert response.status_code == 200
    html = text(response)
    assert "ILC1234" in html and "ビジネス文書研修" in html
    assert "2030年6月14日(金)" in html and "10:00〜17:00" in html
    assert "東京本社 研修室A" in html
    assert "50,000円" in html and "5,000円" in html and "55,000円" in html
    assert "請求書払い(銀行振込)" in html
    # R-CANCEL-4 with dates: 8 business days before 6/14 is 6/4; 3 before is 6/11.
    assert "2030年6月4日(火)まで" in html
    assert "2030年6月5日(水)〜2030年6月11日(火)" in html
    assert "2030年6月12日(水)から" in html
    assert "無料" in html and "受講料の50%" in html and "受講料の100%" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "この内容で申し込む" in action_box(html)


def test_r_elearn_1_the_confirmation_of_an_elearning_course_shows_its_start_date(
    client, learner, elearning
):
    client.force_login(learner)
    response = client.get(f"/apply/course/{elearning.code}/")
    assert response.status_code == 200
    start = ktime.tokyo_date() + dt.timedelta(days=7)
    html = text(response)
    assert f"{start.year}年{start.month}月{start.day}日" in html
    assert "90日間" in html
    assert response.context["preview"].first_day == start


def test_a_classroom_course_code_under_apply_course_leads_to_the_course_page(
    client, learner, session
):
    client.force_login(learner)
    response = client.get(f"/apply/course/{session.course.code}/")
    assert response.status_code == 302 and response["Location"] == "/courses/ILC1234/"
    assert client.get("/apply/course/NOPE/").status_code == 404


def test_an_unpublished_course_s_session_is_not_found(client, learner):
    client.force_login(learner)
    session = SessionFactory(course__is_published=False)
    assert client.get(url(session)).status_code == 404


def test_confirming_applies_and_redirects_to_the_completion_page(client, learner, session):
    client.force_login(learner)
    response = client.post(url(session))
    enrollment = Enrollment.objects.get(learner=learner)
    number = enrollment.order.number
    assert response.status_code == 302
    assert response["Location"] == f"/apply/done/{number}/"

    done = client.get(response["Location"])
    html = text(done)
    invoice = enrollment.order.invoices.get()
    assert number in html
    assert f"/account/invoices/{invoice.number}/pdf/" in html
    assert f"/apply/session/{session.pk}/calendar.ics" in html
    assert "受講案内" in html


def test_the_completion_page_is_the_buyer_s_only(client, learner, session):
    enrollment = enrollment_apply(actor=learner, session=session)
    client.force_login(UserFactory())
    assert client.get(f"/apply/done/{enrollment.order.number}/").status_code == 404
    assert client.get("/apply/done/X123/").status_code == 404


def test_r_type_2_a_group_learner_sees_why_and_whom_to_ask_and_no_button(client, session):
    user = UserFactory(group_learner=True)
    applicant = UserFactory(
        group_applicant=True, organisation=user.organisation, last_name="鈴木", first_name="一郎"
    )
    client.force_login(user)
    html = text(client.get(url(session)))
    assert applicant.full_name in html and user.organisation.name in html
    action = action_box(html)
    assert "ご自身でのお申し込みはできません" in action
    assert "この内容で申し込む" not in action and "<form" not in action


def test_a_forged_post_from_a_group_learner_is_forbidden_and_saves_nothing(client, session):
    client.force_login(UserFactory(group_learner=True))
    assert client.post(url(session)).status_code == 403
    assert client.post(f"/apply/session/{session.pk}/waiting-list/").status_code == 403
    assert not Enrollment.objects.exists() and not Order.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(learner, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(url(session)).status_code == 403
    assert not Enrollment.objects.exists()


def test_r_apply_4_a_closed_session_says_so_and_offers_no_button(client, learner):
    session = SessionFactory(deadline=timezone.now() - dt.timedelta(hours=1))
    client.force_login(learner)
    html = text(client.get(url(session)))
    assert "申込受付は締め切りました" in html
    assert "<form" not in action_box(html)


def test_r_apply_4_a_cancelled_session_says_so(client, learner):
    session = SessionFactory(state=Session.State.CANCELLED)
    client.force_login(learner)
    assert "中止となった" in text(client.get(url(session)))


def test_a_refusal_on_confirm_goes_back_to_the_confirmation_with_its_message(client, learner):
    session = SessionFactory(capacity=1)
    client.force_login(learner)
    client.get(url(session))  # the user reads the confirmation …
    enrollment_apply(actor=UserFactory(), session=session)  # … someone takes the last seat
    response = client.post(url(session), follow=True)
    assert response.redirect_chain == [(url(session), 302)]
    html = text(response)
    assert "満席" in html and "キャンセル待ちに登録する" in html
    assert not Enrollment.objects.filter(learner=learner).exists()
    assert Order.objects.count() == 1


def test_a_full_session_shows_full_and_the_waiting_list_button(client, learner):
    session = SessionFactory(capacity=1)
    enrollment_apply(actor=UserFactory(), session=session)
    client.force_login(learner)
    html = text(client.get(url(session)))
    assert "満席" in html
    assert f'action="/apply/session/{session.pk}/waiting-list/"' in html

    response = client.post(f"/apply/session/{session.pk}/waiting-list/", follow=True)
    assert WaitingListEntry.objects.get(user=learner).state == "waiting"
    html = text(response)
    assert "キャンセル待ちに登録しました" in html and "キャンセル待ちをやめる" in html

    client.post(f"/apply/session/{session.pk}/waiting-list/withdraw/")
    assert WaitingListEntry.objects.get(user=learner).state == "withdrawn"


def test_an_applied_learner_is_told_so_on_the_confirmation(client, learner, session):
    enrollment_apply(actor=learner, session=session)
    client.force_login(learner)
    html = text(client.get(url(session)))
    assert "既にお申し込み済み" in html and "/account/enrollments/" in html


def test_the_person_offered_a_seat_sees_the_hold_and_the_apply_button(client, learner):
    from kenshu.enrollments.services import waiting_list_join, waiting_list_offer_next

    session = SessionFactory(capacity=1)
    other = enrollment_apply(actor=UserFactory(), session=session)
    waiting_list_join(actor=learner, session=session)
    Enrollment.objects.filter(pk=other.pk).update(state="cancelled")
    waiting_list_offer_next(session=session)
    client.force_login(learner)
    html = text(client.get(url(session)))
    assert "お取り置き" in html and "この内容で申し込む" in action_box(html)
    assert client.post(url(session)).status_code == 302
    assert Enrollment.objects.filter(learner=learner, state="applied").exists()


def test_the_ics_file_has_the_session_in_utc(client, session):
    response = client.get(f"/apply/session/{session.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    start = session.starts_at.astimezone(dt.UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in body
    assert f"{start:%H}" == "01"  # 10:00 JST
    assert "SUMMARY:ILC1234 ビジネス文書研修" in body
    assert "LOCATION:東京本社 研修室A" in body
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")


def test_the_elearning_completion_page_shows_the_access_notice_date(client, learner):
    course = CourseFactory(elearning=True)
    client.force_login(learner)
    response = client.post(f"/apply/course/{course.code}/", follow=True)
    start = ktime.tokyo_date() + dt.timedelta(days=7)
    html = text(response)
    assert f"{start.year}年{start.month}月{start.day}日" in html
    assert "9:00" in html


def test_a_post_for_a_session_that_does_not_exist_or_is_not_open_saves_nothing(client, learner):
    """The POST reads nothing before the service: it refuses, and the page is not found."""
    client.force_login(learner)
    hidden = SessionFactory(course__is_published=False)
    elearning = CourseFactory(elearning=True)
    for path in ("/apply/session/987654/", url(hidden)):
        response = client.post(path, follow=True)
        assert response.redirect_chain == [(path, 302)]
        assert response.status_code == 404
    assert client.post(f"/apply/course/{elearning.code}/").status_code == 302
    assert Enrollment.objects.filter(session__isnull=False).count() == 0
    assert Order.objects.count() == 1  # the e-learning one


def test_the_apply_post_runs_a_fixed_number_of_statements(
    client, learner, session, settings, django_assert_num_queries
):
    """Pinned: session and user (auth), then the service's transaction — lock (with
    the course and the cancellation tiers), waiting-list entry, seat count, order, its
    line, enrolment, audit entry, both emails (one INSERT). The invoice follows after
    commit (test_application_completion.py)."""
    from django.db import connection

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client.force_login(learner)
    lock_timeout = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(2 + 2 + lock_timeout + 8):  # +2: the savepoint
        response = client.post(url(session))
    assert response.status_code == 302


def test_the_completion_page_says_the_invoice_is_coming_until_it_is_issued(
    client, learner, session, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client.force_login(learner)
    response = client.post(url(session))
    html = text(client.get(response["Location"]))
    assert "請求書を発行しています" in html and 'href="/account/invoices/"' in html
    assert "/pdf/" not in html
