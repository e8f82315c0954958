"""What cancelling would cost, as of a contact date (R-CANCEL-3, R-CANCEL-5): a pure
read, shown by every screen and email, and the figures the cancel services then write.

``cancellation_preview`` quotes each enrolment or inventory seat with the tiers kept
with its purchase (``quote`` with ``business_calendar()``, read once), and plans the
money per original invoice with ``kenshu.billing.refunds.settlement_plan``, so that the
preview and the documents issued can never disagree.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from kenshu.billing.models import Invoice, Order
from kenshu.billing.refunds import SettlementPlan, settlement_plan
from kenshu.billing.services import LineSpec, tax_breakdown
from kenshu.core import time as ktime
from kenshu.enrollments.elearning import elearning_start_date
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import Seat

from ..quoting import Quote, quote, tier_label
from ..selectors import policy_tiers_for

#: The documents a cancellation may make, in the order they are shown.
DOCUMENTS = ("credit_note", "fee_invoice", "refund")
DEFAULT_TAX_RATE = 10


@dataclass(frozen=True)
class PreviewLine:
    """One enrolment or inventory seat, quoted."""

    enrollment: Enrollment | None
    seat: Seat | None
    tiers: tuple[dict, ...]  #: the snapshot kept with the purchase
    first_day: dt.date  #: the session's first day (Tokyo) or the access start date
    quote: Quote
    tier_label: str  #: e.g. "7 to 3 business days before the first day"
    order_id: int | None
    description: str  #: the original invoice line it credits
    tax_rate: int

    @property
    def amount(self) -> int:
        """The price credited (tax excluded)."""
        return self.quote.amount

    @property
    def fee(self) -> int:
        return self.quote.fee

    @property
    def rate(self) -> int:
        return self.quote.rate

    @property
    def days_before(self) -> int:
        return self.quote.days_before

    @property
    def course(self):
        return self.seat.item.course if self.seat else self.enrollment.course

    @property
    def session(self):
        return self.seat.item.session if self.seat else self.enrollment.session


@dataclass(frozen=True)
class CancellationPreview:
    """Cancelling ``lines`` on ``computed_for``: the fee per line and in total, and the
    documents it makes (``plans``: one per original invoice; an enrolment without an
    order, e.g. migrated, makes none)."""

    computed_for: dt.date
    lines: tuple[PreviewLine, ...]
    plans: tuple[SettlementPlan, ...] = field(default=())
    #: Tax of the fee: of the fee invoices, or as it would be for unbilled lines.
    fee_tax: int = 0

    @property
    def amount(self) -> int:
        """The price of what is cancelled (tax excluded): what the credit notes credit."""
        return sum(line.amount for line in self.lines)

    @property
    def fee(self) -> int:
        """The cancellation fee (tax excluded)."""
        return sum(line.fee for line in self.lines)

    @property
    def fee_total(self) -> int:
        return self.fee + self.fee_tax

    @property
    def credit_total(self) -> int:
        return sum(plan.credit_total for plan in self.plans)

    @property
    def refund(self) -> int:
        """What will be paid back (tax included): 0 unless the invoice was paid."""
        return sum(plan.refund for plan in self.plans)

    @property
    def fee_to_pay(self) -> int:
        """What the fee invoices will still ask (the rest is offset against payments)."""
        return sum(plan.fee_to_pay for plan in self.plans)

    @property
    def documents(self) -> tuple[str, ...]:
        made = {doc for plan in self.plans for doc in plan.documents}
        return tuple(doc for doc in DOCUMENTS if doc in made)

    # The figures of a single line (an enrolment), or of all lines when they agree.

    def _same(self, attribute: str):
        values = {getattr(line, attribute) for line in self.lines}
        return values.pop() if len(values) == 1 else None

    @property
    def rate(self) -> int | None:
        return self._same("rate")

    @property
    def tier_label(self) -> str | None:
        return self._same("tier_label")

    @property
    def days_before(self) -> int | None:
        return self._same("days_before")

    @property
    def first_day(self) -> dt.date | None:
        return self._same("first_day")

    @property
    def quote(self) -> Quote | None:
        return self.lines[0].quote if len(self.lines) == 1 else None

    @property
    def tiers(self) -> tuple[dict, ...]:
        return self.lines[0].tiers if self.lines else ()

    @property
    def unit(self) -> str:
        return self.lines[0].quote.unit if self.lines else ""


def fee_line_description(*, rate: int, description: str) -> str:
    """The fee invoice's line, in Japanese (the invoice's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Cancellation fee (%(rate)s%%): %(description)s") % {
            "rate": rate,
            "description": description,
        }
    return text[:300]


def first_day_of_seat(seat: Seat, *, contact_date: dt.date) -> dt.date:
    """The day a seat's tiers count to: the session's first day; for e-learning the
    assigned learner's access start date, or for a seat not assigned yet the day its
    access would start if it were assigned on the contact date (R-ELEARN-2): its
    access has not started, so it is before the start date."""
    item = seat.item
    if item.session_id:
        return ktime.tokyo_date(item.session.starts_at)
    if seat.enrollment_id and seat.enrollment.access_starts_on:
        return seat.enrollment.access_starts_on
    return elearning_start_date(contact_date, is_partner=item.course.is_partner)


def first_day_of_enrollment(enrollment: Enrollment) -> dt.date:
    if enrollment.session_id:
        return ktime.tokyo_date(enrollment.session.starts_at)
    return enrollment.access_starts_on


def _original_line(invoice: Invoice | None, *, unit_price: int):
    """The line of the original invoice a cancelled place was billed on: the one with
    its price (the first line when none matches)."""
    if invoice is None:
        return None
    lines = list(invoice.lines.all())
    return next(
        (line for line in lines if line.unit_price == unit_price), lines[0] if lines else None
    )


def _main_invoices(order_ids: Iterable[int]) -> dict[int, Invoice]:
    ids = {pk for pk in order_ids if pk}
    if not ids:
        return {}
    invoices = (
        Invoice.objects.filter(order_id__in=ids, kind=Invoice.Kind.INVOICE)
        .select_related("order")
        .prefetch_related("lines")
        .order_by("pk")
    )
    found: dict[int, Invoice] = {}
    for invoice in invoices:
        found.setdefault(invoice.order_id, invoice)
    return found


def _fallback_description(course, session, first_day: dt.date) -> str:
    if session is not None:
        return f"{course.code} {course.title} {first_day:%Y/%m/%d}"
    return f"{course.code} {course.title}"


def cancellation_preview(
    *,
    enrollment: Enrollment | None = None,
    seats: Sequence[Seat] | None = None,
    contact_date: dt.date | None = None,
    full_refund: bool = False,
) -> CancellationPreview:
    """What cancelling ``enrollment`` (or the inventory ``seats``) costs when the
    customer made contact on ``contact_date`` (default: today in Tokyo). Reads only.

    An enrolment assigned from inventory is quoted as its seat. ``full_refund``: the
    provider cancels (R-CANCEL-6), no fee whatever the date.
    """
    if (enrollment is None) == (seats is None):
        raise ValueError("give either an enrollment or seats")
    contact_date = contact_date or ktime.tokyo_date()
    calendar = ktime.business_calendar()
    if enrollment is not None and enrollment.source == Enrollment.Source.INVENTORY:
        seats = list(Seat.objects.filter(enrollment=enrollment))
        if not seats:
            raise ValueError(f"{enrollment} is assigned from inventory but has no seat")
        enrollment = None

    entries = []  # (enrollment, seat, course, session, tiers, first_day, amount, order_id)
    if enrollment is not None:
        enrollment = Enrollment.objects.select_related("course", "session", "order").get(
            pk=enrollment.pk
        )
        entries.append(
            (
                enrollment,
                None,
                enrollment.course,
                enrollment.session,
                enrollment.cancellation_tiers or policy_tiers_for(enrollment.course.delivery),
                first_day_of_enrollment(enrollment),
                enrollment.fee,
                enrollment.order_id,
            )
        )
    else:
        fetched = list(
            Seat.objects.filter(pk__in=[seat.pk for seat in seats])
            .select_related("item__course", "item__session", "enrollment", "learner")
            .order_by("pk")
        )
        if len(fetched) != len({seat.pk for seat in seats}):
            raise ValueError("a seat does not exist")
        for seat in fetched:
            item = seat.item
            entries.append(
                (
                    None,
                    seat,
                    item.course,
                    item.session,
                    item.cancellation_tiers or policy_tiers_for(item.course.delivery),
                    first_day_of_seat(seat, contact_date=contact_date),
                    item.unit_fee,
                    item.order_id,
                )
            )

    invoices = _main_invoices(entry[-1] for entry in entries)
    lines = []
    for enrol, seat, course, session, tiers, first_day, amount, order_id in entries:
        tiers = tuple(dict(tier) for tier in tiers)
        # The provider cancels: one tier, free at any time.
        tiers_for_quote = (
            [{"min_days_before": 0, "rate": 0, "unit": tiers[0]["unit"]}] if full_refund else tiers
        )
        q = quote(
            tiers=tiers_for_quote,
            first_day=first_day,
            contact_date=contact_date,
            amount=amount,
            calendar=calendar,
        )
        original_line = _original_line(invoices.get(order_id), unit_price=amount)
        lines.append(
            PreviewLine(
                enrollment=enrol,
                seat=seat,
                tiers=tiers,
                first_day=first_day,
                quote=q,
                tier_label=(
                    _("Cancelled by the provider: no fee")
                    if full_refund
                    else tier_label(tiers=tiers, tier=q.tier)
                ),
                order_id=order_id,
                description=(
                    original_line.description
                    if original_line
                    else _fallback_description(course, session, first_day)
                ),
                tax_rate=original_line.tax_rate if original_line else DEFAULT_TAX_RATE,
            )
        )

    # One plan per order: its invoice credited (with a fee invoice, a refund), or for an
    # order not invoiced yet a fee invoice only; places without an order (migrated) are
    # quoted but make no document.
    plans, unbilled_fees = [], []
    by_order: dict[int | None, list[PreviewLine]] = defaultdict(list)
    for line in lines:
        by_order[line.order_id].append(line)
    not_invoiced = Order.objects.in_bulk(
        [pk for pk in by_order if pk is not None and pk not in invoices]
    )
    for order_id, group in by_order.items():
        credit_lines, fee_lines = money_lines(group)
        if order_id in invoices and credit_lines:
            plans.append(
                settlement_plan(
                    original=invoices[order_id], credit_lines=credit_lines, fee_lines=fee_lines
                )
            )
        elif order_id in not_invoiced and fee_lines:
            plans.append(
                settlement_plan(
                    original=None,
                    order=not_invoiced[order_id],
                    credit_lines=(),
                    fee_lines=fee_lines,
                )
            )
        else:
            unbilled_fees.extend(fee_lines)
    fee_tax = sum(plan.fee_tax for plan in plans) + sum(
        item.tax for item in tax_breakdown(unbilled_fees)
    )
    return CancellationPreview(
        computed_for=contact_date, lines=tuple(lines), plans=tuple(plans), fee_tax=fee_tax
    )


def money_lines(lines: Iterable[PreviewLine]) -> tuple[list[LineSpec], list[LineSpec]]:
    """The credit note's lines (each cancelled place at its price, like places
    together) and the fee invoice's (per rate), for lines of one original invoice.
    Places of ¥0 are left out (nothing to credit)."""
    credits: dict[tuple, int] = defaultdict(int)
    fees: dict[tuple, int] = defaultdict(int)
    for line in lines:
        if line.amount <= 0:
            continue
        credits[(line.description, line.amount, line.tax_rate)] += 1
        if line.fee > 0:
            fees[(line.description, line.rate, line.fee, line.tax_rate)] += 1
    credit_lines = [
        LineSpec(description, price, quantity, rate)
        for (description, price, rate), quantity in credits.items()
    ]
    fee_lines = [
        LineSpec(
            fee_line_description(rate=fee_rate, description=description), fee, quantity, tax_rate
        )
        for (description, fee_rate, fee, tax_rate), quantity in fees.items()
    ]
    return credit_lines, fee_lines
