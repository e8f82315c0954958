"""Planning an import: every check, across rows and against the database, before a write.

``Planner(...).build()`` reads the two files' rows and what earlier runs and the
catalogue hold (a handful of bulk queries, never one per row) and decides, member by
member, what the run will do. A member with any rejected row is rejected as a whole
with all its bookings (R-MIGRATE-3); the rest is written by ``writing``.

Rules as built (docs/migration.md):

- duplicated legacy IDs and login IDs (case-insensitive) reject every row that has
  them; a login ID that is the user ID of another account rejects the member;
- a booking refers to a member of the file or of an earlier run;
- cancelled bookings (キャンセル) and bookings for sessions starting before the
  cut-off (Asia/Tokyo date) are not imported; the rest are live and need a course (by
  code) with a session starting at that minute (Asia/Tokyo);
- the member's own bookings become its enrolments; bookings for other participants
  make the member a group applicant (of the organisation of its company name) and
  become inventory seats assigned to a group learner of that organisation, found by
  email or created;
- one learner holds at most one live place per session (R-APPLY-1): a second one
  (in the files or already in Kenshu) rejects the later member.
"""

import datetime as dt
from collections.abc import Sequence

from kenshu.catalog.models import Course
from kenshu.core.time import tokyo_datetime

from .models import LegacyBooking
from .parsing import SourceRow
from .planning_bookings import BookingSteps
from .planning_members import MemberSteps
from .plans import (
    DEFAULT_CUTOFF,
    BookingPlan,
    Counts,
    ExistingBooking,
    ExistingMember,
    LearnerPlan,
    MemberPlan,
    OrgRef,
    Outcome,
    Plan,
    SessionRow,
    UserType,
)
from .problems import Problem


class Planner(MemberSteps, BookingSteps):
    def __init__(
        self,
        *,
        members_rows: Sequence[SourceRow],
        bookings_rows: Sequence[SourceRow],
        cutoff: dt.date = DEFAULT_CUTOFF,
    ):
        self.members_rows = members_rows
        self.bookings_rows = bookings_rows
        self.cutoff = cutoff
        self.cutoff_start = tokyo_datetime(cutoff)
        self.problems: list[Problem] = []
        self.mc = Counts()
        self.bc = Counts()
        self.members: dict[str, MemberPlan] = {}  # accepted file members, then others
        self.rejected_member_rows: dict[str, int] = {}
        self.existing_members: dict[str, ExistingMember] = {}
        self.existing_bookings: dict[str, ExistingBooking] = {}
        self.org_pks: dict[str, int] = {}  # name key → pk of existing customer orgs
        self.new_org_names: dict[str, str] = {}
        self.taken_user_ids: set[str] = set()
        self.owner_of_user_id: dict[str, int] = {}
        self.courses: dict[str, Course] = {}
        self.sessions: dict[tuple[int, dt.datetime], SessionRow] = {}
        self.sessions_by_pk: dict[int, SessionRow] = {}
        self.learners: dict[tuple[OrgRef, str], LearnerPlan] = {}
        self.existing_learners: dict[tuple[int, str], int] = {}
        self.bookings: list[BookingPlan] = []

    # --- the steps ------------------------------------------------------------------------------

    def build(self) -> Plan:
        records = self._parse_members()
        booking_records = self._parse_bookings()
        self._load_existing(records, booking_records)
        self._accept_members(records)
        self._attach_bookings(booking_records)
        self._load_catalogue()
        self._classify_bookings()
        self._cascade_rejections()
        self._resolve_learners()
        self._decide_types()
        members = [m for m in self.members.values() if m.problem is None]
        return Plan(
            cutoff=self.cutoff,
            members=members,
            new_org_names=self.new_org_names,
            learners=self.learners,
            existing_learners=self.existing_learners,
            courses=self.courses,
            sessions=self.sessions_by_pk,
        )

    # --- rejections, shared by the steps --------------------------------------------------------

    def _reject(
        self,
        file: str,
        row: int | None,
        legacy_id: str,
        code: str,
        params: dict,
        member_id: str = "",
    ) -> Problem:
        if file == "members":
            member_id = legacy_id
        problem = Problem("rejected", file, row, legacy_id, code, params, member_id)
        self.problems.append(problem)
        return problem

    # --- types and reasons ----------------------------------------------------------------------

    def _decide_types(self) -> None:
        cutoff = self.cutoff.isoformat()
        for member in self.members.values():
            if member.problem is not None:
                continue
            seats = [b for b in member.bookings if b.creates and not b.is_self]
            if seats and member.user_type != UserType.GROUP_APPLICANT:
                if member.existing is not None:
                    member.change("user_type", member.user_type, UserType.GROUP_APPLICANT)
                    if member.group_org_ref != member.org_ref:
                        member.change("organisation", member.org_ref, member.group_org_ref)
                member.user_type = UserType.GROUP_APPLICANT
                member.org_ref = member.group_org_ref
                member.made_group_applicant = True
                member.add_reason("became_group_applicant", count=len(seats))
            live = any(
                b.outcome in (*LegacyBooking.IMPORTED, Outcome.SESSION_CANCELLED)
                and b.problem is None
                for b in member.bookings
            )
            already = member.existing.handled_individually if member.existing else False
            member.handled_individually = already or live
            if live and not already:
                member.add_reason("handled_individually", cutoff=cutoff)
            for booking in member.bookings:
                if booking.work and booking.outcome == Outcome.SESSION_CANCELLED:
                    member.add_reason("session_cancelled", session=booking.session.label)

    def count(self) -> tuple[Counts, Counts, list[Problem]]:
        """Members and bookings by what happens to them, and the report's lines for the
        rejected and skipped rows (call again after the writes: a member the database
        refused is rejected then)."""
        mc, bc = Counts(read=self.mc.read), Counts(read=self.bc.read)
        for member in self.members.values():
            if member.record is None or member.problem is not None:
                continue
            if member.is_new:
                mc.created += 1
            elif (
                member.data_changed
                or member.user_changes
                or member.reasons
                or (member.imports_bookings)
            ):
                mc.updated += 1
            else:
                mc.unchanged += 1
        problems = [p for p in self.problems if p.kind == "rejected"]
        mc.rejected = sum(1 for p in problems if p.file == "members")
        bc.rejected = sum(1 for p in problems if p.file == "bookings")
        for booking in self.bookings:
            if booking.problem is not None:
                continue
            if booking.change == "unchanged":
                bc.unchanged += 1
            elif booking.change == "updated":
                bc.updated += 1
            elif booking.skip is not None:
                bc.skipped += 1
            else:
                bc.created += 1
            if booking.skip is not None and booking.change != "unchanged":
                problems.append(
                    Problem(
                        "skipped",
                        "bookings",
                        booking.record.row,
                        booking.record.legacy_id,
                        booking.skip[0],
                        booking.skip[1],
                        booking.record.member_id,
                    )
                )
        return mc, bc, problems
