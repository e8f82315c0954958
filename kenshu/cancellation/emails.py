"""The emails of cancelling (DOMAIN.md §8), queued through the outbox in the cancel
services' transactions. Contexts hold JSON values only (dates as ISO strings).

- ``cancellation_done`` (R-CANCEL-5): "cancellation done, with fee" to the learner
  and, where different, the applicant. The one who pays sees the money (fee, tier,
  the contact date it was computed for, the credit note, fee invoice and refund); a
  learner whose place someone else bought sees that its place was cancelled.
- ``session_cancelled`` (R-CANCEL-6): once to each learner and applicant concerned.

Every email is ``related`` to what it is about, and de-duplicated by a key naming it.
"""

from collections import defaultdict

from django.urls import reverse
from django.utils import translation

from kenshu.billing.refunds import Settlement
from kenshu.notifications.services import email_queue

from .quoting import tier_label
from .services.preview import CancellationPreview, PreviewLine


def _name(user) -> str:
    return user.full_name or user.get_username()


def _place(line: PreviewLine) -> dict:
    course, session = line.course, line.session
    place = {
        "number": line.enrollment.number if line.enrollment else str(line.seat),
        "course_code": course.code,
        "course_title": course.title,
        "delivery": course.delivery,
        "starts_at": session.starts_at.isoformat() if session else "",
        "ends_at": session.ends_at.isoformat() if session else "",
        "access_starts_on": "" if session else line.first_day.isoformat(),
        "learner": "",
    }
    if line.seat is not None:
        learner = line.seat.learner
        place["learner"] = _name(learner) if learner else ""
    return place


def _documents(settlements) -> dict:
    return {
        "credit_notes": [
            {
                "number": s.credit_note.number,
                "path": reverse("billing:invoice_pdf", kwargs={"number": s.credit_note.number}),
                "total": -s.credit_note.total,
            }
            for s in settlements
            if s.credit_note
        ],
        "fee_invoices": [
            {
                "number": s.fee_invoice.number,
                "path": reverse("billing:invoice_pdf", kwargs={"number": s.fee_invoice.number}),
                "total": s.fee_invoice.total,
                "to_pay": s.plan.fee_to_pay,
                "due_on": s.fee_invoice.due_on.isoformat() if s.fee_invoice.due_on else "",
            }
            for s in settlements
            if s.fee_invoice
        ],
        "refund": sum(s.refund.amount for s in settlements if s.refund),
        "fee_tax": sum(s.plan.fee_tax for s in settlements),
        "invoices_path": reverse("billing:my_invoices"),
    }


def _quote_context(lines: list[PreviewLine], *, language: str) -> dict:
    with translation.override(language):
        labels = {tier_label(tiers=line.tiers, tier=line.quote.tier) for line in lines}
    rates = {line.rate for line in lines}
    days = {line.days_before for line in lines}
    return {
        "rate": rates.pop() if len(rates) == 1 else None,
        "tier_label": labels.pop() if len(labels) == 1 else "",
        "days_before": days.pop() if len(days) == 1 else None,
        "unit": lines[0].quote.unit,
        "amount": sum(line.amount for line in lines),
        "fee": sum(line.fee for line in lines),
    }


def _cancellation_done_context(
    *, user, lines, preview, settlements, show_money: bool, by_staff: bool
) -> dict:
    places = [_place(line) for line in lines]
    context = {
        "name": _name(user),
        "places": places,
        "course_code": places[0]["course_code"],
        "course_title": places[0]["course_title"],
        "more_places": len(places) - 1,
        "contact_date": preview.computed_for.isoformat(),
        "by_staff": by_staff,
        "show_money": show_money,
        "my_enrollments_path": reverse("enrollments:my_enrollments"),
    }
    if show_money:
        context.update(_quote_context(lines, language=user.language))
        documents = _documents(settlements)
        context.update(documents)
        context["fee_total"] = context["fee"] + documents["fee_tax"]
        if not settlements:  # no invoice (e.g. migrated): the fee's tax as it would be
            context["fee_total"] = context["fee"] + preview.fee_tax
    return context


def queue_enrollment_cancelled(
    *,
    enrollment,
    preview: CancellationPreview,
    settlements: tuple[Settlement, ...],
    by_staff: bool,
) -> None:
    """``cancellation_done`` to the learner and, where different, the applicant."""
    people = [enrollment.learner]
    if enrollment.applicant_id != enrollment.learner_id:
        people.append(enrollment.applicant)
    for user in people:
        pays = user.pk == enrollment.applicant_id
        email_queue(
            template="cancellation_done",
            to=user.email,
            language=user.language,
            context=_cancellation_done_context(
                user=user,
                lines=list(preview.lines),
                preview=preview,
                settlements=settlements,
                show_money=pays,
                by_staff=by_staff,
            ),
            related=enrollment,
            dedup_key=f"cancellation_done:enrollment:{enrollment.pk}:{user.pk}",
        )


def queue_seats_cancelled(
    *,
    preview: CancellationPreview,
    settlements: tuple[Settlement, ...],
    learners: dict,
) -> None:
    """``cancellation_done`` to each applicant (its seats, fees and documents) and to the
    learner of each assigned seat (its place only). ``learners``: seat pk → (learner,
    enrollment) of the seats that were assigned."""
    by_applicant: dict[int, list[PreviewLine]] = defaultdict(list)
    applicants = {}
    for line in preview.lines:
        applicant = line.seat.item.applicant
        applicants[applicant.pk] = applicant
        by_applicant[applicant.pk].append(line)
    for pk, lines in by_applicant.items():
        applicant = applicants[pk]
        orders = {line.order_id for line in lines}
        mine = tuple(s for s in settlements if s.plan.order.pk in orders)
        email_queue(
            template="cancellation_done",
            to=applicant.email,
            language=applicant.language,
            context=_cancellation_done_context(
                user=applicant,
                lines=lines,
                preview=preview,
                settlements=mine,
                show_money=True,
                by_staff=True,
            ),
            related=lines[0].seat.item,
            dedup_key=f"cancellation_done:seats:{lines[0].seat.pk}:{applicant.pk}",
        )
    for line in preview.lines:
        if line.seat.pk not in learners:
            continue
        learner, enrollment = learners[line.seat.pk]
        if learner.pk == line.seat.item.applicant_id:
            continue  # the applicant's own seat: its email above says it all
        email_queue(
            template="cancellation_done",
            to=learner.email,
            language=learner.language,
            context=_cancellation_done_context(
                user=learner,
                lines=[line],
                preview=preview,
                settlements=(),
                show_money=False,
                by_staff=True,
            ),
            related=enrollment,
            dedup_key=f"cancellation_done:seat:{line.seat.pk}:{learner.pk}",
        )


def queue_session_cancelled(*, session, recipients, settlements, reason: str) -> None:
    """``session_cancelled`` once to each learner and applicant; an applicant's email
    lists its credit notes and refunds."""
    course = session.course
    by_buyer: dict[int, list[Settlement]] = defaultdict(list)
    for settlement in settlements:
        by_buyer[settlement.plan.order.buyer_id].append(settlement)
    for person in recipients:
        user = person.user
        context = {
            "name": _name(user),
            "course_code": course.code,
            "course_title": course.title,
            "delivery": course.delivery,
            "starts_at": session.starts_at.isoformat(),
            "ends_at": session.ends_at.isoformat(),
            "venue": session.venue,
            "reason": reason,
            "places": person.places,
            "as_applicant": person.as_applicant,
            "my_enrollments_path": reverse("enrollments:my_enrollments"),
            "show_money": bool(by_buyer.get(user.pk)),
        }
        if context["show_money"]:
            context.update(_documents(by_buyer[user.pk]))
        email_queue(
            template="session_cancelled",
            to=user.email,
            language=user.language,
            context=context,
            related=session,
            dedup_key=f"session_cancelled:{session.pk}:{user.pk}",
        )
