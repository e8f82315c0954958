"""Planning an import, the bookings' steps: reading the bookings file, matching each
booking to its member, course and session, rejecting a member with its bookings, and
finding or planning the group learners (a mixin of ``planning.Planner``, whose state it
uses)."""

import datetime as dt
from collections import defaultdict

from kenshu.accounts.models import User
from kenshu.catalog.models import Course, Session
from kenshu.core.time import TOKYO
from kenshu.enrollments.models import Enrollment

from . import mapping
from .models import LegacyBooking
from .parsing import STATUS_CANCELLED, BookingRecord, parse_booking
from .plans import (
    BookingPlan,
    LearnerPlan,
    MemberPlan,
    Outcome,
    SessionRow,
    UserType,
    in_chunks,
)
from .problems import Problem


class BookingSteps:
    # --- bookings -------------------------------------------------------------------------------

    def _parse_bookings(self) -> list[BookingRecord]:
        parsed: list[BookingRecord] = []
        for row in self.bookings_rows:
            self.bc.read += 1
            result = parse_booking(row)
            if isinstance(result, tuple):
                values = row.values or ("", "")
                self._reject("bookings", row.number, values[0], *result, member_id=values[1])
                continue
            parsed.append(result)
        return self._drop_duplicates(
            parsed, key=lambda r: r.legacy_id, code="duplicate_booking_id", file="bookings"
        )

    def _member_for(self, legacy_id: str) -> MemberPlan | None:
        plan = self.members.get(legacy_id)
        if plan is not None or legacy_id in self.rejected_member_rows:
            return plan
        existing = self.existing_members.get(legacy_id)
        if existing is None:
            return None
        plan = MemberPlan(legacy_id=legacy_id, record=None, existing=existing)
        if existing.user is not None:
            self._existing_defaults(plan)
        self.members[legacy_id] = plan
        return plan

    def _attach_bookings(self, records: list[BookingRecord]) -> None:
        for record in records:
            booking = BookingPlan(record=record)
            self.bookings.append(booking)
            member = self._member_for(record.member_id)
            if member is None:
                if record.member_id in self.rejected_member_rows:
                    code, params = (
                        "member_rejected",
                        {
                            "value": record.member_id,
                            "row": self.rejected_member_rows[record.member_id],
                        },
                    )
                else:
                    code, params = "unknown_member", {"value": record.member_id}
                booking.problem = self._reject(
                    "bookings", record.row, record.legacy_id, code, params, record.member_id
                )
                continue
            booking.member = member
            member.bookings.append(booking)
            existing = self.existing_bookings.get(record.legacy_id)
            if existing is None:
                continue
            booking.existing = existing
            if record.hash == existing.data_hash:
                booking.change = "unchanged"
                booking.outcome = existing.outcome
                continue
            booking.change = "updated"
            if existing.outcome in LegacyBooking.IMPORTED:
                # What it became (an enrolment, a seat) may have changed in Kenshu since:
                # keep it, store the new data, and ask staff to look.
                booking.outcome = existing.outcome
                booking.keeps_outcome = True
                member.add_reason("booking_changed", value=record.legacy_id)

    def _load_catalogue(self) -> None:
        todo = [b for b in self.bookings if b.work and b.outcome is None]
        codes = sorted({b.record.course_code for b in todo if self._is_live(b.record)})
        for chunk in in_chunks(codes):
            for course in Course.objects.filter(code__in=chunk):
                self.courses[course.code] = course
        starts = [
            b.record.session_start
            for b in todo
            if self._is_live(b.record) and b.record.course_code in self.courses
        ]
        if not starts:
            return
        by_pk = {c.pk: c for c in self.courses.values()}
        for chunk in in_chunks(sorted(by_pk)):
            rows = (
                Session.objects.filter(
                    course_id__in=chunk,
                    starts_at__gte=min(starts) - dt.timedelta(minutes=1),
                    starts_at__lte=max(starts) + dt.timedelta(minutes=1),
                )
                .order_by("-pk")
                .values_list("pk", "course_id", "starts_at", "state", "capacity")
            )
            for pk, course_id, starts_at, state, capacity in rows:
                session = SessionRow(pk, by_pk[course_id], starts_at, state, capacity)
                self.sessions[(course_id, _minute(starts_at))] = session
                self.sessions_by_pk[pk] = session

    def _is_live(self, record: BookingRecord) -> bool:
        return (
            record.status != STATUS_CANCELLED
            and record.session_start.astimezone(TOKYO).date() >= self.cutoff
        )

    def _classify_bookings(self) -> None:
        # One reason object for all the bookings skipped for the same reason.
        cancelled = ("cancelled", {})
        before_cutoff = ("before_cutoff", {"cutoff": self.cutoff.isoformat()})
        for booking in self.bookings:
            if not booking.work or booking.outcome is not None:
                continue
            record, member = booking.record, booking.member
            if record.status == STATUS_CANCELLED:
                booking.outcome, booking.skip = Outcome.CANCELLED, cancelled
                continue
            if record.session_start.astimezone(TOKYO).date() < self.cutoff:
                booking.outcome, booking.skip = Outcome.BEFORE_CUTOFF, before_cutoff
                continue
            problem = self._check_live_booking(booking, member)
            if problem is not None:
                booking.problem = self._reject(
                    "bookings", record.row, record.legacy_id, *problem, record.member_id
                )

    def _check_live_booking(self, booking: BookingPlan, member: MemberPlan):
        record = booking.record
        if record.fee is None:
            return "required", {"column": "fee"}
        course = self.courses.get(record.course_code)
        if course is None:
            return "unknown_course", {"value": record.course_code}
        if not course.has_sessions:
            return "elearning_course", {"value": record.course_code}
        session = self.sessions.get((course.pk, _minute(record.session_start)))
        if session is None:
            start = f"{record.session_start:%Y-%m-%d %H:%M}"
            return "unknown_session", {"code": record.course_code, "start": start}
        booking.session = session
        if session.state == Session.State.CANCELLED:
            booking.outcome = Outcome.SESSION_CANCELLED
            booking.skip = ("session_cancelled", {"session": session.label})
            return None
        is_self = mapping.booking_is_for_member(
            record, email=member.email, full_name=member.full_name
        )
        if is_self is None:
            return "participant_email_required", {"name": record.participant_name}
        booking.is_self = is_self
        if is_self:
            booking.outcome = Outcome.ENROLLED
            return None
        if member.group_blocker:
            return "cannot_become_group_applicant", {"type": member.group_blocker}
        if member.group_org_ref is None:
            return "organisation_required", {}
        if len(record.participant_email) > mapping.USER_ID_MAX - 6:
            return "participant_email_too_long", {"max": mapping.USER_ID_MAX - 6}
        booking.learner_key = (member.group_org_ref, record.participant_email.casefold())
        booking.outcome = Outcome.INVENTORY
        return None

    def _reject_member(self, member: MemberPlan, code: str, params: dict) -> None:
        """Reject ``member`` with every booking of it that had something to do."""
        member.problem = Problem(
            "rejected", "members", member.row, member.legacy_id, code, params, member.legacy_id
        )
        if member.record is not None:
            self.problems.append(member.problem)
            self.rejected_member_rows.setdefault(member.legacy_id, member.row)
        failed = ", ".join(str(b.record.row) for b in member.bookings if b.problem)
        for booking in member.bookings:
            if booking.problem is None and booking.change != "unchanged":
                booking.problem = self._reject(
                    "bookings",
                    booking.record.row,
                    booking.record.legacy_id,
                    "sibling_rejected",
                    {"rows": failed},
                    member.legacy_id,
                )

    def _cascade_rejections(self) -> None:
        """A member with a rejected booking row (whatever the reason, even one that could
        not be read) is rejected with all its bookings."""
        unread: dict[str, list[int]] = defaultdict(list)
        for problem in self.problems:
            if problem.file == "bookings" and problem.legacy_member_id:
                unread[problem.legacy_member_id].append(problem.row)
        for member in self.members.values():
            failed = {b.record.row for b in member.bookings if b.problem is not None}
            failed.update(unread.get(member.legacy_id, ()))
            failed = sorted(failed)
            if failed and member.problem is None:
                rows = ", ".join(str(n) for n in failed)
                self._reject_member(member, "member_bookings_rejected", {"rows": rows})

    # --- learners and places --------------------------------------------------------------------

    def _resolve_learners(self) -> None:
        """Find or plan each participant's group learner, and refuse a second live place
        of one learner on one session (R-APPLY-1)."""
        creating = [
            b for m in self.members.values() if m.problem is None for b in m.bookings if b.creates
        ]
        org_pks = sorted(
            {
                b.learner_key[0]
                for b in creating
                if b.learner_key and isinstance(b.learner_key[0], int)
            }
        )
        for chunk in in_chunks(org_pks):
            for pk, org_id, email in (
                User.objects.filter(user_type=UserType.GROUP_LEARNER, organisation_id__in=chunk)
                .order_by("-pk")
                .values_list("pk", "organisation_id", "email")
            ):
                self.existing_learners[(org_id, email.casefold())] = pk
        known_users = {m.existing.user_id for m in self.members.values() if m.existing}
        known_users |= set(self.existing_learners.values())
        enrolled: set[tuple[int, int]] = set()
        session_ids = sorted({b.session.pk for b in creating})
        if known_users and session_ids:
            for chunk in in_chunks(session_ids):
                for learner_id, session_id in Enrollment.objects.filter(
                    session_id__in=chunk, state__in=Enrollment.LIVE_STATES
                ).values_list("learner_id", "session_id"):
                    if learner_id in known_users:
                        enrolled.add((learner_id, session_id))
        claimed: dict[tuple, str] = {}
        for member in self.members.values():
            if member.problem is not None:
                continue
            mine: dict[tuple, str] = {}
            clash = None
            for booking in member.bookings:
                if not booking.creates:
                    continue
                who = self._learner_identity(member, booking)
                place = (who, booking.session.pk)
                other = mine.get(place) or claimed.get(place)
                if other is None and who[0] == "user" and (who[1], booking.session.pk) in enrolled:
                    other = "Kenshu"
                if other is not None:
                    name = booking.record.participant_email or member.full_name
                    clash = booking
                    booking.problem = self._reject(
                        "bookings",
                        booking.record.row,
                        booking.record.legacy_id,
                        "already_booked",
                        {"learner": name, "other": other},
                        member.legacy_id,
                    )
                    break
                mine[place] = booking.record.legacy_id
            if clash is not None:
                self._reject_member(
                    member, "member_bookings_rejected", {"rows": str(clash.record.row)}
                )
                continue
            claimed.update(mine)
            for booking in member.bookings:
                if booking.creates and not booking.is_self:
                    self._plan_learner(member, booking)

    def _learner_identity(self, member: MemberPlan, booking: BookingPlan) -> tuple:
        if booking.is_self:
            if member.existing is not None:
                return ("user", member.existing.user_id)
            return ("member", member.legacy_id)
        org_ref, email = booking.learner_key
        if isinstance(org_ref, int) and (org_ref, email) in self.existing_learners:
            return ("user", self.existing_learners[(org_ref, email)])
        return ("learner", booking.learner_key)

    def _plan_learner(self, member: MemberPlan, booking: BookingPlan) -> None:
        org_ref, email = booking.learner_key
        if isinstance(org_ref, int) and (org_ref, email) in self.existing_learners:
            return
        if booking.learner_key in self.learners:
            return
        last, first = mapping.split_name(booking.record.participant_name)
        self.learners[booking.learner_key] = LearnerPlan(
            org_ref=org_ref,
            email=booking.record.participant_email,
            last_name=last,
            first_name=first,
            username=mapping.learner_user_id(booking.record.participant_email, self.taken_user_ids),
            legacy_booking_id=booking.record.legacy_id,
            applicant_legacy_id=member.legacy_id,
        )


def _minute(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(second=0, microsecond=0)
