"""Helpers of the cancellation tests (also used by the enrolment and browser tests):
places bought for oneself and inventory bought for others, with their orders and
invoices, dated as the test needs."""

import datetime as dt

from django.utils import timezone

from kenshu.billing.models import Invoice, Payment
from kenshu.billing.services import LineSpec, order_place, payment_record
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.core.time import business_calendar, tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import enrollment_apply
from kenshu.enrollments.services.completion import application_complete
from kenshu.inventory.models import Assignment, InventoryItem, Seat


def first_day_after_business_days(n: int, *, contact: dt.date | None = None) -> dt.date:
    """The first day ``f`` after ``contact`` (default: today) such that a contact on
    ``contact`` is exactly ``n`` business days before ``f`` (R-CANCEL-4)."""
    contact = contact or tokyo_date()
    calendar = business_calendar()
    day = contact + dt.timedelta(days=1)
    while calendar.business_days_between(contact, day) < n:
        day += dt.timedelta(days=1)
    return day


def invoice_of(order) -> Invoice:
    return order.invoices.get(kind=Invoice.Kind.INVOICE)


def apply(user, session=None, *, course=None, days_ago: int = 0) -> Enrollment:
    """``user`` applies for itself (its invoice issued at once); ``days_ago`` moves the
    application back in time (so that a staff contact date may be in the past)."""
    enrollment = enrollment_apply(actor=user, session=session, course=course)
    application_complete(enrollment_id=enrollment.pk)
    if days_ago:
        Enrollment.objects.filter(pk=enrollment.pk).update(
            applied_at=timezone.now() - dt.timedelta(days=days_ago)
        )
        enrollment.refresh_from_db()
    return enrollment


def pay(invoice: Invoice, accountant) -> Payment:
    """Record the invoice's total as received today."""
    return payment_record(
        actor=accountant,
        invoice=invoice,
        amount=invoice.total,
        received_on=tokyo_date(),
        method=Payment.Method.BANK_TRANSFER,
    )


def buy_seats(
    applicant,
    session,
    quantity: int,
    *,
    assign_to=(),
    unit_fee: int | None = None,
    days_ago: int = 10,
) -> InventoryItem:
    """``applicant`` bought ``quantity`` seats of ``session`` ``days_ago`` days ago (one
    order line of ``quantity`` × the fee, as the inventory purchase makes), and the
    first seats are assigned to the learners ``assign_to`` (each with its enrolment)."""
    course = session.course
    unit_fee = course.fee if unit_fee is None else unit_fee
    day = tokyo_date(session.starts_at)
    order = order_place(
        buyer=applicant,
        lines=[LineSpec(f"{course.code} {course.title} {day:%Y/%m/%d}", unit_fee, quantity)],
    )
    bought_at = timezone.now() - dt.timedelta(days=days_ago)
    item = InventoryItem.objects.create(
        applicant=applicant,
        organisation_id=applicant.organisation_id,
        course=course,
        session=session,
        quantity=quantity,
        unit_fee=unit_fee,
        order=order,
        cancellation_tiers=policy_tiers_for(course.delivery),
        purchased_at=bought_at,
    )
    seats = Seat.objects.bulk_create(Seat(item=item) for _ in range(quantity))
    for seat, learner in zip(seats, assign_to, strict=False):
        enrollment = Enrollment.objects.create(
            learner=learner,
            applicant=applicant,
            course=course,
            session=session,
            source=Enrollment.Source.INVENTORY,
            fee=unit_fee,
            order=order,
            applied_at=bought_at,
            cancellation_tiers=item.cancellation_tiers,
        )
        seat.state = Seat.State.ASSIGNED
        seat.learner = learner
        seat.enrollment = enrollment
        seat.assigned_at = bought_at
        seat.save()
        Assignment.objects.create(
            seat=seat,
            learner=learner,
            enrollment=enrollment,
            assigned_at=bought_at,
            assigned_by=applicant,
        )
    return item
