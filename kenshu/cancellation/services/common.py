"""What the cancel services share: who counts as staff, the contact date, the rows a
cancellation writes, settling the money, and what the services return."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from kenshu.billing.models import Invoice, Refund
from kenshu.billing.refunds import Settlement, settlement_apply
from kenshu.core.exceptions import DomainError
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import Seat
from kenshu.notifications.services import emails_withdraw_for

from .preview import CancellationPreview


def is_staff_with(actor, perm: str) -> bool:
    """Active staff holding ``perm``."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.is_staff
        and actor.has_perm(perm)
    )


def check_contact_date(contact_date: dt.date, *, today: dt.date, bought_on: dt.date | None) -> None:
    """A contact date is a day that has come, not before the place was bought."""
    if contact_date > today:
        raise DomainError(
            _("The contact date cannot be in the future."), code="contact_date_in_future"
        )
    if bought_on is not None and contact_date < bought_on:
        raise DomainError(
            _("The contact date cannot be before the purchase (%(date)s)."),
            code="contact_date_before_purchase",
            date=f"{bought_on:%Y-%m-%d}",
        )


def cancel_enrollment_row(
    enrollment: Enrollment,
    *,
    actor,
    now: dt.datetime,
    contact_date: dt.date,
    fee: int,
    reason: str,
) -> None:
    """Mark ``enrollment`` cancelled (with who, when, the contact date and the fee) and
    withdraw its still-queued emails (joining instructions, access notice …)."""
    enrollment.state = Enrollment.State.CANCELLED
    enrollment.cancelled_at = now
    enrollment.cancelled_by = actor
    enrollment.cancellation_contact_date = contact_date
    enrollment.cancellation_fee = fee
    enrollment.cancellation_reason = reason[:200]
    enrollment.save(
        update_fields=[
            "state",
            "cancelled_at",
            "cancelled_by",
            "cancellation_contact_date",
            "cancellation_fee",
            "cancellation_reason",
        ]
    )
    emails_withdraw_for(related=enrollment, reason="enrollment cancelled")


def settle(
    *, actor, preview: CancellationPreview, reason: str, issued_on: dt.date
) -> list[Settlement]:
    """Issue the documents of each plan of ``preview`` (credit note, fee invoice,
    offset, refund): ``kenshu.billing.refunds.settlement_apply``, recomputed under
    the original invoice's lock."""
    return [
        settlement_apply(
            actor=actor,
            original=plan.original,
            order=plan.order,
            credit_lines=plan.credit_lines,
            fee_lines=plan.fee_lines,
            reason=reason,
            issued_on=issued_on,
        )
        for plan in preview.plans
    ]


@dataclass(frozen=True)
class CancellationOutcome:
    """What ``enrollment_cancel`` or ``seats_cancel`` did."""

    preview: CancellationPreview  #: the quote per place as charged
    enrollments: tuple[Enrollment, ...]  #: the enrolments cancelled
    seats: tuple[Seat, ...] = ()  #: the inventory seats cancelled
    settlements: tuple[Settlement, ...] = ()  #: one per original invoice
    waiting_list_offers: tuple = ()  #: the waiting-list entries offered the freed seats

    @property
    def contact_date(self) -> dt.date:
        return self.preview.computed_for

    @property
    def fee(self) -> int:
        """The fee charged, tax excluded (every place together)."""
        return self.preview.fee

    @property
    def fee_rate(self) -> int | None:
        """The rate, when every place was charged the same one."""
        return self.preview.rate

    @property
    def credit_notes(self) -> list[Invoice]:
        return [s.credit_note for s in self.settlements if s.credit_note]

    @property
    def fee_invoices(self) -> list[Invoice]:
        return [s.fee_invoice for s in self.settlements if s.fee_invoice]

    @property
    def refunds(self) -> list[Refund]:
        return [s.refund for s in self.settlements if s.refund]

    @property
    def credit_note(self) -> Invoice | None:
        """The (first) credit note, e.g. for ``CancellationRequest.credit_note``."""
        return next(iter(self.credit_notes), None)

    @property
    def fee_invoice(self) -> Invoice | None:
        return next(iter(self.fee_invoices), None)


@dataclass(frozen=True)
class SessionCancelOutcome:
    """What ``session_cancel`` did."""

    session: object
    enrollments: tuple[Enrollment, ...]
    seats: tuple[Seat, ...]
    settlements: tuple[Settlement, ...]
    waiting_list_withdrawn: tuple = ()
    emailed: tuple = field(default=())  #: the users emailed, once each

    @property
    def credit_notes(self) -> list[Invoice]:
        return [s.credit_note for s in self.settlements if s.credit_note]

    @property
    def refunds(self) -> list[Refund]:
        return [s.refund for s in self.settlements if s.refund]
