"""Buying seats for others (インベントリ購入: R-APPLY-2, R-APPLY-3, R-APPLY-4).

One service, one transaction, in the order of work of ``enrollment_apply``: the
policy is read before; in the transaction the session row is locked and its seats
re-counted (self-applications, open waiting-list offers and live inventory seats, in
one query), then the order, the purchase, its seats and the audit entry are written;
the invoice (its number's lock is held until commit) and the email quoting it come
last.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kenshu.accounts import policy
from kenshu.accounts.models import User
from kenshu.accounts.policy import Action
from kenshu.audit.services import audit_log
from kenshu.billing.models import Invoice
from kenshu.billing.services import LineSpec, order_create, order_invoice
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.catalog.models import Course, Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.enrollments.elearning import elearning_start_date
from kenshu.enrollments.exceptions import CourseNotOpen
from kenshu.enrollments.schedule import cancellation_windows, windows_as_json
from kenshu.enrollments.seats import seats_left
from kenshu.enrollments.services.checks import check_session_open
from kenshu.notifications.services import email_queue

from ..exceptions import (
    NoOrganisation,
    NoSeatsLeft,
    NotAGroupApplicant,
    NotEnoughSeats,
    QuantityTooLarge,
    QuantityTooSmall,
)
from ..models import InventoryItem, Seat

#: Staff who buy on a customer's behalf (purchase by proxy) need this permission.
PROXY_PERMISSION = "inventory.add_inventoryitem"
#: At most this many seats in one purchase (e-learning has no capacity to bound it).
MAX_QUANTITY = 500


def check_quantity(quantity) -> int:
    """A whole number of seats from 1 to ``MAX_QUANTITY``."""
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise QuantityTooSmall() from None
    if quantity < 1:
        raise QuantityTooSmall()
    if quantity > MAX_QUANTITY:
        raise QuantityTooLarge(max=MAX_QUANTITY)
    return quantity


def purchase_applicant(*, actor: User, buyer: User | None) -> User:
    """The group applicant who buys: ``actor`` itself, or ``buyer`` when staff buy on its
    behalf. Raises ``NotPermitted`` / ``NotAGroupApplicant`` / ``NoOrganisation``."""
    if buyer is None or buyer.pk == actor.pk:
        policy.require(actor, Action.BUY_FOR_OTHERS)
        applicant = actor
    else:
        if not (actor.is_active and actor.is_staff and actor.has_perm(PROXY_PERMISSION)):
            raise NotPermitted()
        if not policy.can(buyer, Action.BUY_FOR_OTHERS):
            raise NotAGroupApplicant(name=buyer.full_name or buyer.username)
        applicant = buyer
    if not applicant.organisation_id:
        raise NoOrganisation()
    return applicant


def purchase_line_description(*, course: Course, session: Session | None) -> str:
    """The order and invoice line, in Japanese (the invoice's language)."""
    if session is not None:
        day = ktime.tokyo_date(session.starts_at)
        return f"{course.code} {course.title} {day:%Y/%m/%d}"
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(code)s %(title)s (e-learning, seats for others)") % {
            "code": course.code,
            "title": course.title,
        }


def check_seats_left(*, session: Session, quantity: int) -> int:
    """R-APPLY-3 under the session's lock: raise unless ``quantity`` seats are free;
    return how many are left."""
    left = seats_left([session])[session.pk]
    if left == 0:
        raise NoSeatsLeft()
    if quantity > left:
        raise NotEnoughSeats(left=left)
    return left


def inventory_purchase(
    *,
    actor: User,
    session: Session | None = None,
    course: Course | None = None,
    quantity: int,
    buyer: User | None = None,
) -> InventoryItem:
    """A group applicant buys ``quantity`` seats of ``session`` (classroom or live) or of
    the e-learning ``course`` for others; staff buy on its behalf with ``buyer=``.

    Raises ``NotPermitted`` (R-TYPE), ``QuantityTooSmall`` / ``QuantityTooLarge``,
    ``NoSeatsLeft`` / ``NotEnoughSeats`` (R-APPLY-3), ``CourseNotOpen``,
    ``SessionCancelled`` / ``ApplicationClosed`` (R-APPLY-4), or ``Busy``.
    """
    if (session is None) == (course is None):
        raise ValueError("give either a session or an e-learning course")
    applicant = purchase_applicant(actor=actor, buyer=buyer)
    quantity = check_quantity(quantity)
    now = ktime.now()
    delivery = session.course.delivery if session is not None else course.delivery
    tiers = policy_tiers_for(delivery)
    with transaction.atomic():
        if session is not None:
            locked = lock_rows(Session.objects.all(), [session.pk])
            if not locked:
                raise CourseNotOpen()
            session = locked[0]
            course = Course.objects.get(pk=session.course_id)
            session.course = course
            if not course.is_published or not course.has_sessions:
                raise CourseNotOpen()
            check_session_open(session, now=now)
            check_seats_left(session=session, quantity=quantity)
        else:
            course = Course.objects.filter(pk=course.pk).first()
            if course is None or not course.is_published or course.has_sessions:
                raise CourseNotOpen()
        lines = [
            LineSpec(
                purchase_line_description(course=course, session=session), course.fee, quantity
            )
        ]
        order = order_create(buyer=applicant, lines=lines)
        item = InventoryItem.objects.create(
            applicant=applicant,
            organisation_id=applicant.organisation_id,
            course=course,
            session=session,
            quantity=quantity,
            unit_fee=course.fee,
            order=order,
            cancellation_tiers=tiers,
            purchased_at=now,
            purchased_by=actor if actor.pk != applicant.pk else None,
        )
        Seat.objects.bulk_create(Seat(item=item) for _i in range(quantity))
        audit_log(
            actor=actor,
            action="inventory.purchased",
            target=item,
            data={
                "applicant": applicant.username,
                "course": course.code,
                "session": session.pk if session else None,
                "quantity": quantity,
                "unit_fee": course.fee,
                "order": order.number,
                "by_proxy": actor.pk != applicant.pk,
            },
        )
        # From here on every other invoice waits for this transaction to commit.
        invoice = order_invoice(order=order, lines=lines)
        _queue_purchase_email(item=item, invoice=invoice, now=now)
    return item


def _queue_purchase_email(*, item: InventoryItem, invoice: Invoice, now) -> None:
    """ "Inventory purchased, with invoice" to the group applicant (DOMAIN.md §8)."""
    applicant = item.applicant
    course = item.course
    session = item.session
    if session is not None:
        first_day = ktime.tokyo_date(session.starts_at)
    else:  # as if assigned today: each seat's dates count from its own assignment
        first_day = elearning_start_date(ktime.tokyo_date(now), is_partner=course.is_partner)
    windows = cancellation_windows(tiers=item.cancellation_tiers, first_day=first_day)
    context = {
        "name": applicant.full_name or applicant.username,
        "purchase_number": item.number,
        "application_number": item.order.number,
        "course_code": course.code,
        "course_title": course.title,
        "delivery": course.delivery,
        "is_partner": course.is_partner,
        "quantity": item.quantity,
        "unit_fee": item.unit_fee,
        "by_proxy": item.purchased_by_id is not None,
        "invoice_number": invoice.number,
        "invoice_path": reverse("billing:invoice_pdf", kwargs={"number": invoice.number}),
        "subtotal": invoice.subtotal,
        "tax": invoice.tax,
        "total": invoice.total,
        "due_on": invoice.due_on.isoformat() if invoice.due_on else "",
        "tiers": windows_as_json(windows),
        "purchase_path": reverse("inventory:item_detail", args=[item.pk]),
    }
    if session is not None:
        context.update(
            {
                "session_id": session.pk,
                "starts_at": session.starts_at.isoformat(),
                "ends_at": session.ends_at.isoformat(),
                "venue": session.venue,
            }
        )
    email_queue(
        template="inventory_purchased",
        to=applicant.email,
        language=applicant.language,
        context=context,
        related=item,
        dedup_key=f"inventory_purchased:{item.pk}",
        new_dedup_key=True,
    )
