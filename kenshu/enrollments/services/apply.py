"""Applying for oneself (R-APPLY-1, R-APPLY-3, R-APPLY-4, R-ELEARN-1).

One service, one transaction: lock the session row (reading its course in the same
statement), re-count the seats, then write the order with its lines, the enrolment,
the audit entry and the emails. Any refusal raises a ``DomainError`` subclass before
anything is kept: the transaction rolls back as a whole.

The qualified invoice follows just after commit, in a short transaction of its own
(``services.completion``): its gapless number's counter is locked from the moment a
number is taken until commit, and taken here it made every application of every
session wait for the one before it (docs/performance.md). The acceptance email,
recorded here, is held until the invoice is there.
"""

import functools
import json

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.audit.services import audit_log
from kenshu.billing.services import LineSpec, order_create
from kenshu.cancellation.defaults import DEFAULT_TIERS
from kenshu.cancellation.models import CancellationPolicy, CancellationTier
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.catalog.models import Course, Session
from kenshu.core import time as ktime
from kenshu.core.locking import bounded_lock_wait

from ..elearning import elearning_access_window
from ..exceptions import AlreadyApplied, CourseNotOpen, SessionFull
from ..models import Enrollment, WaitingListEntry
from ..seats import seats_taken
from .checks import check_session_open, has_live_enrollment
from .completion import application_complete, complete_at_once
from .emails import queue_application_emails


def enrollment_apply(
    *,
    actor,
    session: Session | None = None,
    course: Course | None = None,
    session_id: int | None = None,
) -> Enrollment:
    """``actor`` applies for itself for a classroom or live session (``session``, or
    only its id: ``session_id``) or for the e-learning ``course``; returns the new
    live enrolment. Its invoice follows just after commit (``services.completion``).

    Raises ``NotPermitted`` (user type, R-TYPE), ``CourseNotOpen`` (also for a
    session that does not exist or is not of a published classroom or live course),
    ``SessionCancelled`` / ``ApplicationClosed`` (R-APPLY-4), ``AlreadyApplied``
    (R-APPLY-1) or ``SessionFull`` (R-APPLY-3); ``Busy`` when the session's lock could
    not be had in time. A user holding an open waiting-list offer for the session
    takes the seat held for it.
    """
    policy.require(actor, Action.APPLY_FOR_SELF)
    if session is not None:
        if session_id is not None:
            raise ValueError("give a session or its id, not both")
        session_id = session.pk
    if (session_id is None) == (course is None):
        raise ValueError("give either a session or an e-learning course")
    now = ktime.now()
    with transaction.atomic():
        if session_id is not None:
            session, course, entry = _take_session_seat(actor=actor, session_id=session_id, now=now)
            tiers = session.tiers  # read with the lock
        else:
            course, entry = _check_elearning_course(actor=actor, course=course), None
            tiers = policy_tiers_for(course.delivery)
        enrollment = _enrollment_new(
            actor=actor, course=course, session=session, now=now, tiers=tiers
        )
        lines = [LineSpec(line_description(enrollment), course.fee)]
        enrollment.order = order_create(buyer=actor, lines=lines)
        _enrollment_save(enrollment)
        if entry is not None:  # a seat offered from the waiting list, or a free one found
            entry.state = WaitingListEntry.State.ACCEPTED
            entry.save(update_fields=["state"])
        audit_log(
            actor=actor,
            action="enrollment.applied",
            target=enrollment,
            data={
                "course": course.code,
                "session": session.pk if session else None,
                "order": enrollment.order.number,
                "fee": enrollment.fee,
                "waiting_list_entry": entry.pk if entry else None,
            },
        )
        queue_application_emails(enrollment=enrollment, now=now)
        if complete_at_once():  # the test profile; else complete_applications does
            application_complete(enrollment_id=enrollment.pk)
    return enrollment


def _lock_session(session_id: int) -> Session | None:
    """Lock the session's row (only its row) and read, in the same statement, its
    course and the cancellation tiers in force for the course's delivery
    (``session.tiers``), with the bounded wait of ``kenshu.core.locking``.

    The statement is written once (``_lock_sql``) rather than built by the ORM on every
    application: ``select_related`` + ``select_for_update(of=…)`` + the tiers'
    subquery cost the POST more (3 ms of its 12) than everything it writes."""
    with bounded_lock_wait():
        found = list(Session.objects.raw(_lock_sql(connection.vendor), [session_id]))
    if not found:
        return None
    session = found[0]
    course_fields = Course._meta.concrete_fields
    session.course = Course.from_db(
        session._state.db,
        [field.attname for field in course_fields],
        [field.to_python(getattr(session, f"course__{field.attname}")) for field in course_fields],
    )
    rows = session.tier_rows
    session.tiers = _tiers_in_force(
        json.loads(rows) if isinstance(rows, str | bytes) else rows, session.course.delivery
    )
    return session


@functools.cache
def _lock_sql(vendor: str) -> str:
    """``Session.objects.select_related("course").select_for_update(of=("self",))
    .filter(pk=…)``, the course's columns as ``course__<attname>``, and ``tier_rows``:
    the delivery's tiers as a JSON array of ``[min_days_before, rate, unit, id]``."""
    quote = connection.ops.quote_name
    session, course = Session._meta, Course._meta
    tier, policy = CancellationTier._meta, CancellationPolicy._meta

    def col(meta, name, alias):
        return f"{alias}.{quote(meta.get_field(name).column)}"

    build, aggregate = (
        ("JSONB_BUILD_ARRAY", "JSONB_AGG")
        if vendor == "postgresql"
        else ("JSON_ARRAY", "JSON_GROUP_ARRAY")
    )
    tier_row = ", ".join(
        [
            col(tier, "min_days_before", "t"),
            col(tier, "rate", "t"),
            col(policy, "unit", "p"),
            col(tier, "id", "t"),
        ]
    )
    columns = [f"s.{quote(field.column)}" for field in session.concrete_fields]
    columns += [
        f"c.{quote(field.column)} AS {quote('course__' + field.attname)}"
        for field in course.concrete_fields
    ]
    columns.append(
        f"(SELECT {aggregate}({build}({tier_row})) FROM {quote(tier.db_table)} t "  # noqa: S608
        f"INNER JOIN {quote(policy.db_table)} p ON {col(tier, 'policy', 't')} = "
        f"{col(policy, 'id', 'p')} WHERE {col(policy, 'delivery', 'p')} = "
        f"{col(course, 'delivery', 'c')}) AS {quote('tier_rows')}"
    )
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(session.db_table)} s "  # noqa: S608 - names
        f"INNER JOIN {quote(course.db_table)} c ON {col(session, 'course', 's')} = "
        f"{col(course, 'id', 'c')} WHERE {col(session, 'id', 's')} = %s"
    )
    if vendor == "postgresql":  # SQLite: the transaction holds the database's write lock
        sql += " FOR UPDATE OF s"
    return sql


def _tiers_in_force(rows, delivery: str) -> list[dict]:
    """``policy_tiers_for(delivery)`` from the rows ``_lock_session`` read with the
    session (``[min_days_before, rate, unit, id]`` each, in no order): most days first,
    or the defaults of R-CANCEL-4 without rows (test_enrollment_apply.py checks that the
    two agree)."""
    if not rows:
        return [tier.as_dict() for tier in DEFAULT_TIERS[delivery]]
    rows = sorted(rows, key=lambda row: (-row[0], row[3]))
    return [{"min_days_before": days, "rate": rate, "unit": unit} for days, rate, unit, _ in rows]


def _take_session_seat(*, actor, session_id: int, now):
    """Lock the session, check it takes applications and has a seat for ``actor``.

    Returns ``(session, course, open waiting-list entry of actor or None)``.
    """
    session = _lock_session(session_id)
    if session is None:
        raise CourseNotOpen()
    course = session.course
    if not course.is_published or not course.has_sessions:
        raise CourseNotOpen()
    check_session_open(session, now=now)
    # R-APPLY-1 (one live enrolment per learner and session) is checked by the insert
    # itself (its partial unique constraint: ``_enrollment_save``), which saves a query
    # on every application; only a full session asks first, so that someone who has
    # applied already is told so rather than "full".
    entry = _open_waiting_list_entry(session_id=session.pk, user_id=actor.pk)
    holds_offer = (
        entry is not None
        and entry.state == WaitingListEntry.State.OFFERED
        and entry.offer_expires_at is not None
        and entry.offer_expires_at > now
    )
    taken = seats_taken([session.pk])[session.pk]
    if holds_offer:
        taken -= 1  # the seat counted for the offer is the one this user takes
    if taken >= session.capacity:
        if has_live_enrollment(learner=actor, session=session):
            raise AlreadyApplied()
        raise SessionFull()
    return session, course, entry


def _open_waiting_list_entry(*, session_id: int, user_id: int) -> WaitingListEntry | None:
    """The user's waiting or offered entry for the session, if any: the query of
    ``WaitingListEntry.objects.filter(session=…, user=…, state__in=[waiting, offered])
    .order_by("pk").first()``, its SQL written once (on every application, under the
    session's lock, building it cost three times what running it does)."""
    return next(
        iter(
            WaitingListEntry.objects.raw(
                _open_entry_sql(),
                [
                    session_id,
                    user_id,
                    WaitingListEntry.State.WAITING.value,
                    WaitingListEntry.State.OFFERED.value,
                ],
            )
        ),
        None,
    )


@functools.cache
def _open_entry_sql() -> str:
    meta = WaitingListEntry._meta
    quote = connection.ops.quote_name

    def column(name):
        return quote(meta.get_field(name).column)

    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    return (
        f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608 - quoted names only
        f"WHERE {column('session')} = %s AND {column('user')} = %s "
        f"AND {column('state')} IN (%s, %s) ORDER BY {column('id')} LIMIT 1"
    )


def _check_elearning_course(*, actor, course: Course) -> Course:
    course = Course.objects.filter(pk=course.pk).first()
    if course is None or not course.is_published or course.has_sessions:
        raise CourseNotOpen()
    if has_live_enrollment(learner=actor, course=course):
        raise AlreadyApplied()
    return course


def line_description(enrollment: Enrollment) -> str:
    """The order and invoice line, in Japanese (the invoice's language): code, title and
    the first day, or the e-learning access start date."""
    course = enrollment.course
    if enrollment.session is not None:
        day = ktime.tokyo_date(enrollment.session.starts_at)
        return f"{course.code} {course.title} {day:%Y/%m/%d}"
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(code)s %(title)s (e-learning, access from %(date)s)") % {
            "code": course.code,
            "title": course.title,
            "date": f"{enrollment.access_starts_on:%Y/%m/%d}",
        }


def _enrollment_new(
    *, actor, course: Course, session: Session | None, now, tiers: list[dict]
) -> Enrollment:
    """The live enrolment, not saved yet (the caller gives it its order first)."""
    starts_on = ends_on = None
    if session is None:
        starts_on, ends_on = elearning_access_window(
            ktime.tokyo_date(now), is_partner=course.is_partner, access_days=course.access_days
        )
    return Enrollment(
        learner=actor,
        applicant=actor,
        course=course,
        session=session,
        source=Enrollment.Source.SELF,
        state=Enrollment.State.APPLIED,
        fee=course.fee,
        applied_at=now,
        access_starts_on=starts_on,
        access_ends_on=ends_on,
        cancellation_tiers=tiers,
    )


def _enrollment_save(enrollment: Enrollment) -> None:
    """Insert the enrolment; its partial unique constraints enforce R-APPLY-1 (for a
    session, the session's lock makes the insert the check; for e-learning they are
    the backstop of ``has_live_enrollment``). A duplicate is ``AlreadyApplied``: the
    exception leaves the service's transaction at once, which rolls back as a whole
    (no savepoint needed here)."""
    try:
        enrollment.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyApplied() from exc
