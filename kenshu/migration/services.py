"""The legacy import (DOMAIN.md §10, R-MIGRATE-1…4) and the staff review of its members.

``legacy_import`` is one transaction: plan (every check, in Python, on rows read in
bulk), lock the sessions it books, write in chunks, queue the notices, then commit
— or roll back for a dry run, which therefore reports exactly what a real run
would do and keeps nothing. Running it again with the same files changes nothing.
"""

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from kenshu.accounts.models import User
from kenshu.accounts.services import (
    organisation_for_name,
    user_organisation_set,
    user_type_change,
)
from kenshu.audit.services import audit_log
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.enrollments.seats import seats_taken
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_queue

from .models import LegacyMember
from .parsing import SourceRow
from .planning import Planner
from .plans import DEFAULT_CUTOFF, Counts, MemberPlan, Plan, in_chunks
from .problems import Problem, message
from .writing import Writer, refused_problem

NOTICE_TEMPLATE = "system_renewal"
#: Progress callback: (step, done, total); steps "check", "write", "notices".
Progress = Callable[[str, int, int], None]


def notice_dedup_key(legacy_member_id: str) -> str:
    return f"{NOTICE_TEMPLATE}:{legacy_member_id}"


@dataclass
class ImportResult:
    dry_run: bool
    cutoff: dt.date
    members: Counts
    bookings: Counts
    #: Legacy IDs of the members of the files handled individually (R-MIGRATE-2).
    handled_individually: list[str] = field(default_factory=list)
    #: Every line of the report: rejected and skipped rows, members for review,
    #: sessions over capacity.
    problems: list[Problem] = field(default_factory=list)
    organisations_created: int = 0
    learners_created: int = 0
    group_applicants: int = 0
    enrollments_created: int = 0
    seats_created: int = 0
    notices_queued: int = 0

    @property
    def rejected(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "rejected"]

    @property
    def to_review(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "review"]

    @property
    def over_capacity(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "over_capacity"]


def legacy_import(
    *,
    members_rows: Sequence[SourceRow],
    bookings_rows: Sequence[SourceRow],
    cutoff: dt.date = DEFAULT_CUTOFF,
    dry_run: bool = False,
    send_notices: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the legacy members and bookings (rows of ``parsing.read_legacy_file``).

    Bad rows are rejected with their row number and reason, and so is every row of a
    member with a bad row; the rest is imported. ``dry_run`` does all of it and rolls
    back. ``send_notices`` queues the system renewal email of every migrated member
    that has not had it yet (R-MIGRATE-4). ``actor`` (None: the system) is the audit
    log's actor.
    """
    if actor is not None and not actor.has_perm("migration.add_legacymember"):
        raise NotPermitted()
    report = progress or (lambda step, done, total: None)
    now = ktime.now()
    with transaction.atomic():
        planner = Planner(members_rows=members_rows, bookings_rows=bookings_rows, cutoff=cutoff)
        total_rows = len(members_rows) + len(bookings_rows)
        report("check", 0, total_rows)
        plan = planner.build()
        report("check", total_rows, total_rows)

        over_capacity = _lock_and_check_capacity(plan)
        todo = [m for m in plan.members if m.has_work]
        report("write", 0, len(todo))
        writer = Writer(plan, actor=actor, now=now)
        stats = writer.write(todo, progress=lambda done: report("write", done, len(todo)))
        for member, error in stats.refused:
            _refuse(planner, member, error)
        members, bookings, problems = planner.count()

        result = ImportResult(
            dry_run=dry_run,
            cutoff=cutoff,
            members=members,
            bookings=bookings,
            organisations_created=stats.organisations_created,
            learners_created=stats.learners_created,
            group_applicants=stats.group_applicants,
            enrollments_created=stats.enrollments_created,
            seats_created=stats.seats_created,
        )
        accepted = [m for m in plan.members if m.problem is None and m.record is not None]
        result.handled_individually = [m.legacy_id for m in accepted if m.handled_individually]
        result.problems = [*problems, *_review_lines(plan), *over_capacity]
        if send_notices:
            result.notices_queued = _queue_notices(now=now, progress=report)
        changed = (
            members.created
            + members.updated
            + bookings.created
            + bookings.updated
            + bookings.skipped
            + result.notices_queued
        )
        if not dry_run and changed:  # a run that changes nothing leaves no trace
            audit_log(
                actor=actor,
                action="migration.run",
                data={
                    "cutoff": cutoff.isoformat(),
                    "members": members.as_dict(),
                    "bookings": bookings.as_dict(),
                    "handled_individually": len(result.handled_individually),
                    "notices_queued": result.notices_queued,
                },
            )
        if dry_run:
            transaction.set_rollback(True)
    return result


def _lock_and_check_capacity(plan: Plan) -> list[Problem]:
    """Lock the sessions the run books (R-APPLY-3's lock, in pk order), and list those
    the imported bookings take over capacity. Legacy bookings are facts: they are
    imported all the same, and their members are listed for review."""
    added = Counter(b.session.pk for m in plan.members for b in m.bookings if b.creates)
    session_ids = sorted(added)
    taken: dict[int, int] = {}
    for chunk in in_chunks(session_ids, 300):
        lock_rows(Session.objects.all(), chunk)
        taken.update(seats_taken(chunk))
    lines = []
    over = set()
    for pk in session_ids:
        session = plan.sessions[pk]
        after = taken.get(pk, 0) + added[pk]
        if after > session.capacity:
            over.add(pk)
            lines.append(
                Problem(
                    "over_capacity",
                    "",
                    None,
                    session.label,
                    "over_capacity",
                    {"session": session.label, "taken": after, "capacity": session.capacity},
                )
            )
    if over:
        for member in plan.members:
            for booking in member.bookings:
                if booking.creates and booking.session.pk in over:
                    session = booking.session
                    member.add_reason(
                        "over_capacity",
                        session=session.label,
                        taken=taken.get(session.pk, 0) + added[session.pk],
                        capacity=session.capacity,
                    )
    return lines


def _refuse(planner: Planner, member: MemberPlan, error: str) -> None:
    """The database refused ``member``'s rows: it is rejected with all its work."""
    member.problem = refused_problem(member, error)
    if member.record is not None:
        planner.problems.append(member.problem)
    for booking in member.bookings:
        if booking.problem is None and booking.change != "unchanged":
            booking.problem = Problem(
                "rejected",
                "bookings",
                booking.record.row,
                booking.record.legacy_id,
                "database_refused",
                {"error": error},
                member.legacy_id,
            )
            planner.problems.append(booking.problem)


_CODES = re.compile(r'"code":\s*"(\w+)"')


def _review_lines(plan: Plan) -> list[Problem]:
    """One report line per member of the run listed for review, with all its reasons.

    The reasons stored by earlier runs stay JSON text until the report is written (a
    re-run may list tens of thousands of members)."""
    lines = []
    for member in plan.members:
        if member.problem is not None:
            continue
        pending = member.existing.needs_review if member.existing else False
        if not (pending or member.reasons):
            continue
        known = member.existing.review_reasons_json if pending else ""
        codes = [*_CODES.findall(known or ""), *(r["code"] for r in member.reasons or ())]
        lines.append(
            Problem(
                "review",
                "members" if member.record else "",
                member.row,
                member.legacy_id,
                ", ".join(codes),
                {"known": known, "reasons": member.reasons or []},
                member.legacy_id,
            )
        )
    return lines


def review_reasons_of(problem: Problem) -> list[dict]:
    """All the reasons of a review line: those stored before, then this run's."""
    known = problem.params.get("known")
    return [*(json.loads(known) if known else ()), *problem.params["reasons"]]


def review_message(problem: Problem) -> str:
    """The reasons of a review line, in words."""
    return " / ".join(message(r["code"], r["params"]) for r in review_reasons_of(problem))


# --- notices (R-MIGRATE-4) -------------------------------------------------------------------


def notice_context(legacy_member: LegacyMember) -> dict:
    user = legacy_member.user
    return {
        "name": user.full_name,
        "user_id": user.username,
        "email": user.email,
        "user_type": user.user_type,
        "organisation": user.organisation.name if user.organisation_id else "",
        "handled_individually": legacy_member.handled_individually,
    }


def _queue_notices(*, now: dt.datetime, progress: Progress, batch: int = 1000) -> int:
    """Queue the system renewal email of every migrated member without one yet: once
    per member, whatever the number of runs (``notice_queued_at``, and the outbox's
    de-duplication key ``system_renewal:<legacy member ID>``)."""
    pending = LegacyMember.objects.filter(notice_queued_at__isnull=True)
    total = pending.count()
    progress("notices", 0, total)
    queued = done = last_pk = 0
    while True:
        members = list(
            pending.filter(pk__gt=last_pk)
            .select_related("user", "user__organisation")
            .order_by("pk")[:batch]
        )
        if not members:
            break
        last_pk = members[-1].pk
        keys = {notice_dedup_key(m.legacy_member_id): m for m in members}
        used = set(
            OutboxEmail.objects.filter(dedup_key__in=list(keys)).values_list("dedup_key", flat=True)
        )
        for key, member in keys.items():
            if key in used or not member.user.email:
                continue
            email_queue(
                template=NOTICE_TEMPLATE,
                to=member.user.email,
                language=member.user.language,
                context=notice_context(member),
                related=member.user,
                dedup_key=key,
                new_dedup_key=True,  # looked up just above, in this transaction
            )
            queued += 1
        LegacyMember.objects.filter(pk__in=[m.pk for m in members]).update(notice_queued_at=now)
        done += len(members)
        progress("notices", done, total)
    return queued


# --- the staff review ---------------------------------------------------------------------------


def legacy_member_review_mark(
    *, actor: User, legacy_member: LegacyMember, note: str = ""
) -> LegacyMember:
    """Staff have checked a member handled individually: it leaves the review list."""
    if not actor.has_perm("migration.change_legacymember"):
        raise NotPermitted()
    with transaction.atomic():
        (legacy_member,) = lock_rows(LegacyMember.objects.all(), [legacy_member.pk])
        if not legacy_member.needs_review:
            raise InvalidState(_("This member has already been reviewed."))
        legacy_member.needs_review = False
        legacy_member.reviewed_at = ktime.now()
        legacy_member.reviewed_by = actor
        legacy_member.review_note = note
        legacy_member.save(
            update_fields=["needs_review", "reviewed_at", "reviewed_by", "review_note"]
        )
        audit_log(
            actor=actor,
            action="migration.member_reviewed",
            target=legacy_member.user,
            data={"legacy_member_id": legacy_member.legacy_member_id, "note": note},
        )
    return legacy_member


def legacy_member_account_change(
    *,
    actor: User,
    legacy_member: LegacyMember,
    user_type: str,
    company_name: str = "",
    reason: str = "",
) -> User:
    """Staff correct a migrated member's type and/or organisation from the review page.

    The organisation is the customer organisation of ``company_name`` (normalised; made
    when missing), or the current one when empty. A type change goes through
    ``accounts.services.user_type_change`` (audited, the user is emailed); an
    organisation change alone through ``user_organisation_set`` (audited).
    """
    if not actor.has_perm("accounts.change_user"):
        raise NotPermitted()
    with transaction.atomic():
        user = legacy_member.user
        organisation = organisation_for_name(name=company_name) if company_name.strip() else None
        if user_type != user.user_type:
            return user_type_change(
                actor=actor,
                user=user,
                user_type=user_type,
                organisation=organisation,
                reason=reason,
            )
        if organisation is not None and organisation.pk != user.organisation_id:
            return user_organisation_set(
                actor=actor, user=user, organisation=organisation, reason=reason
            )
        raise InvalidState(_("Nothing would change: choose another type or organisation."))
