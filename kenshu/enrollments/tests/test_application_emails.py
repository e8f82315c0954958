"""The emails of an application (DOMAIN.md §8): 申込受付 at once, the e-learning access
notice at 09:00 JST on the start date (R-ELEARN-3), the joining instructions 7 days
before the first day (or at once)."""

import datetime as dt

import pytest
from django.core import mail

from kenshu.core import time as ktime
from kenshu.core.testing import CourseFactory, SessionFactory
from kenshu.enrollments.services import enrollment_apply
from kenshu.enrollments.services.emails import joining_instructions_send_after
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import emails_withdraw_for, outbox_dispatch_due

pytestmark = pytest.mark.django_db

JST = ktime.TOKYO


def sent_to(address, template=None):
    return [m for m in mail.outbox if m.to == [address]]


def test_the_acceptance_email_has_the_number_fee_tax_total_invoice_and_dated_tiers(
    learner, session
):
    enrollment = enrollment_apply(actor=learner, session=session)
    invoice = enrollment.order.invoices.get()
    outbox_dispatch_due()

    (message,) = [m for m in sent_to(learner.email) if "受付" in m.subject]
    body = message.body
    assert enrollment.order.number in message.subject
    assert "ILC1234 ビジネス文書研修" in body
    assert "50,000円" in body and "5,000円" in body and "55,000円" in body
    assert invoice.number in body
    assert f"http://testserver/account/invoices/{invoice.number}/pdf/" in body or (
        f"/account/invoices/{invoice.number}/pdf/" in body
    )
    assert "無料" in body and "50%" in body and "100%" in body  # the three tiers
    first_day = ktime.tokyo_date(session.starts_at)
    assert f"{first_day.month}月{first_day.day}日" in body
    html = message.alternatives[0][0]
    assert invoice.number in html and "55,000円" in html


def test_r_elearn_3_the_access_email_is_queued_for_9_jst_on_the_start_date(learner, elearning):
    enrollment = enrollment_apply(actor=learner, course=elearning)
    email = OutboxEmail.objects.get(template="elearning_access_start")
    assert email.send_after == ktime.tokyo_datetime(enrollment.access_starts_on, 9)
    assert email.related == enrollment
    assert email.dedup_key == f"elearning_access_start:{enrollment.pk}"


def test_r_elearn_3_the_access_email_is_sent_on_the_start_date_and_not_before(learner, elearning):
    enrollment = enrollment_apply(actor=learner, course=elearning)
    start = enrollment.access_starts_on
    outbox_dispatch_due()  # the acceptance goes at once
    mail.outbox.clear()

    day_before_9 = ktime.tokyo_datetime(start - dt.timedelta(days=1), 9)
    assert outbox_dispatch_due(now=day_before_9) == 0
    assert outbox_dispatch_due(now=ktime.tokyo_datetime(start, 8, 59)) == 0
    assert mail.outbox == []

    assert outbox_dispatch_due(now=ktime.tokyo_datetime(start, 9)) == 1
    (message,) = mail.outbox
    assert message.to == [learner.email]
    assert "EL100" in message.subject and "本日" in message.subject
    assert f"{start.year}年{start.month}月{start.day}日" in message.body


def test_joining_instructions_go_at_9_jst_seven_days_before_the_first_day(learner):
    first_day = ktime.tokyo_date() + dt.timedelta(days=30)
    enrollment = enrollment_apply(actor=learner, session=SessionFactory(starts_on=first_day))
    email = OutboxEmail.objects.get(template="joining_instructions")
    assert email.send_after == ktime.tokyo_datetime(first_day - dt.timedelta(days=7), 9)
    assert email.related == enrollment

    outbox_dispatch_due()
    mail.outbox.clear()
    assert outbox_dispatch_due(now=ktime.tokyo_datetime(first_day - dt.timedelta(days=8), 9)) == 0
    assert outbox_dispatch_due(now=ktime.tokyo_datetime(first_day - dt.timedelta(days=7), 9)) == 1
    assert "受講案内" in mail.outbox[0].subject


def test_joining_instructions_go_at_once_when_the_session_is_less_than_7_days_away(learner):
    first_day = ktime.tokyo_date() + dt.timedelta(days=3)
    enrollment_apply(actor=learner, session=SessionFactory(starts_on=first_day))
    email = OutboxEmail.objects.get(template="joining_instructions")
    assert email.send_after <= ktime.now()
    outbox_dispatch_due()
    assert {m.subject.split("]")[1].split(":")[0].strip() for m in mail.outbox} >= {"受講案内"}


def test_joining_instructions_time_is_the_later_of_7_days_before_and_now():
    first_day = dt.date(2026, 5, 11)
    early = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    assert joining_instructions_send_after(first_day, now=early) == dt.datetime(
        2026, 5, 4, 9, tzinfo=JST
    )
    late = dt.datetime(2026, 5, 8, 3, tzinfo=dt.UTC)
    assert joining_instructions_send_after(first_day, now=late) == late


def test_a_live_session_s_joining_instructions_carry_the_online_link(learner):
    session = SessionFactory(course__live=True, starts_on=ktime.tokyo_date() + dt.timedelta(days=2))
    enrollment_apply(actor=learner, session=session)
    outbox_dispatch_due()
    (message,) = [m for m in mail.outbox if "受講案内" in m.subject]
    assert "https://meet.example.jp/kenshu" in message.body


def test_cancelling_withdraws_the_scheduled_emails_of_the_enrolment(learner, elearning):
    enrollment = enrollment_apply(actor=learner, course=elearning)
    emails_withdraw_for(related=enrollment)
    assert OutboxEmail.objects.get(template="elearning_access_start").state == "withdrawn"


def test_the_emails_are_in_english_for_a_user_who_chose_english(learner, elearning):
    learner.language = "en"
    learner.save()
    enrollment = enrollment_apply(actor=learner, course=elearning)
    outbox_dispatch_due(now=ktime.tokyo_datetime(enrollment.access_starts_on, 9))
    subjects = sorted(m.subject for m in mail.outbox)
    assert any(s.startswith("[") and "Application accepted" in s for s in subjects), subjects
    assert any("access starts today" in s for s in subjects), subjects
    accepted = next(m for m in mail.outbox if "Application accepted" in m.subject)
    assert "55,000 yen" in accepted.body or "¥55,000" in accepted.body


def test_the_acceptance_email_of_an_elearning_course_has_its_access_period(learner):
    course = CourseFactory(elearning=True, code="EL200", access_days=30)
    enrollment = enrollment_apply(actor=learner, course=course)
    outbox_dispatch_due()
    (message,) = mail.outbox
    end = enrollment.access_ends_on
    assert f"{end.year}年{end.month}月{end.day}日" in message.body
    assert "9:00" in message.body
