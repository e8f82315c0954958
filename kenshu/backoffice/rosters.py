"""A roster as a table: the columns and rows the exports write (CSV, XLSX)."""

import datetime as dt
from collections.abc import Iterable, Iterator

from django.utils.translation import pgettext

from kenshu.core.time import to_tokyo
from kenshu.enrollments.models import Enrollment

from .selectors.sessions import payment_state
from .templatetags.backoffice_tags import payment_label


def roster_header() -> list[str]:
    return [
        pgettext("roster column", "Course code"),
        pgettext("roster column", "Course title"),
        pgettext("roster column", "Session start"),
        pgettext("roster column", "Venue"),
        pgettext("roster column", "Enrolment No."),
        pgettext("roster column", "Learner"),
        pgettext("roster column", "Learner kana"),
        pgettext("roster column", "User ID"),
        pgettext("roster column", "Email address"),
        pgettext("roster column", "Organisation"),
        pgettext("roster column", "Department"),
        pgettext("roster column", "Applicant"),
        pgettext("roster column", "Applicant's user ID"),
        pgettext("roster column", "Source"),
        pgettext("roster column", "State"),
        pgettext("roster column", "Invoice No."),
        pgettext("roster column", "Payment"),
        pgettext("roster column", "Completed on"),
    ]


def roster_rows(enrollments: Iterable[Enrollment], *, today: dt.date) -> Iterator[list]:
    """One row per enrolment (annotated by ``selectors.sessions.roster_enrollments``);
    times are Asia/Tokyo wall-clock times (spreadsheets have no time zones)."""
    for enrollment in enrollments:
        session = enrollment.session
        course = session.course
        learner = enrollment.learner
        applicant = enrollment.applicant
        yield [
            course.code,
            course.title,
            to_tokyo(session.starts_at).replace(tzinfo=None),
            session.venue,
            enrollment.number,
            learner.full_name or learner.username,
            f"{learner.last_name_kana} {learner.first_name_kana}".strip(),
            learner.username,
            learner.email,
            learner.organisation.name if learner.organisation_id else "",
            learner.department,
            applicant.full_name or applicant.username,
            applicant.username,
            enrollment.get_source_display(),
            enrollment.get_state_display(),
            enrollment.invoice_number or "",
            payment_label(
                payment_state(enrollment.invoice_state, enrollment.invoice_due_on, today)
            ),
            enrollment.completed_on,
        ]
