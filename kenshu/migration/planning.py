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
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import is_password_usable
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from kenshu.accounts.models import Organisation, User
from kenshu.catalog.models import Course, Session
from kenshu.core.time import TOKYO, tokyo_datetime
from kenshu.enrollments.models import Enrollment

from . import mapping
from .models import LegacyBooking, LegacyMember
from .parsing import (
    STATUS_CANCELLED,
    BookingRecord,
    MemberRecord,
    SourceRow,
    parse_booking,
    parse_member,
)
from .problems import Problem, reason

DEFAULT_CUTOFF = dt.date(2023, 11, 1)
Outcome = LegacyBooking.Outcome
UserType = User.UserType

#: An organisation: its pk (it exists) or its name key (the run creates it).
OrgRef = int | str


def in_chunks(values: Iterable, size: int | None = None) -> Iterator[list]:
    """``values`` in lists of at most ``size`` (SQLite allows 999 parameters a query)."""
    size = size or (900 if connection.vendor == "sqlite" else 5000)
    chunk: list = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(slots=True)
class Counts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


USER_FIELDS = (
    "username",
    "email",
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "department",
    "phone",
)
#: Legacy column → user field.
COLUMN_OF_FIELD = {
    "username": "login_id",
    "email": "email",
    "last_name": "last_name",
    "first_name": "first_name",
    "last_name_kana": "last_name_kana",
    "first_name_kana": "first_name_kana",
    "department": "department",
    "phone": "phone",
}


@dataclass(slots=True)
class ExistingMember:
    pk: int
    legacy_id: str
    data_hash: bytes
    mapped_user_type: str
    mapped_organisation_id: int | None
    handled_individually: bool
    needs_review: bool
    #: The stored review reasons as JSON text (decoded when needed: few are).
    review_reasons_json: str
    user_id: int
    #: USER_FIELDS + user_type, organisation_id, last_login, language; read only for
    #: the members with something to do in the run.
    user: dict[str, Any] | None

    @property
    def review_reasons(self) -> list[dict]:
        return json.loads(self.review_reasons_json) if self.review_reasons_json else []


@dataclass(slots=True)
class ExistingBooking:
    pk: int
    legacy_id: str
    legacy_member_pk: int
    data_hash: bytes
    outcome: str
    session_id: int | None
    enrollment_id: int | None
    inventory_item_id: int | None


@dataclass(slots=True)
class SessionRow:
    pk: int
    course: Course
    starts_at: dt.datetime
    state: str
    capacity: int

    @property
    def label(self) -> str:
        return f"{self.course.code} {self.starts_at.astimezone(TOKYO):%Y-%m-%d %H:%M}"


@dataclass(slots=True, eq=False)
class LearnerPlan:
    """A group learner the run creates (a participant of another member's booking)."""

    org_ref: OrgRef
    email: str
    last_name: str
    first_name: str
    username: str
    legacy_booking_id: str
    applicant_legacy_id: str


@dataclass(slots=True, eq=False)
class BookingPlan:
    record: BookingRecord
    member: "MemberPlan | None" = None
    existing: ExistingBooking | None = None
    change: str = "new"  # new / updated / unchanged
    outcome: str | None = None
    #: An imported booking that changed since: what it became stays as it is.
    keeps_outcome: bool = False
    skip: tuple[str, dict] | None = None
    problem: Problem | None = None
    session: SessionRow | None = None
    is_self: bool = True
    learner_key: tuple[OrgRef, str] | None = None
    #: Set by the writer: the rows it made of the booking.
    enrollment: Any = None
    inventory_item: Any = None

    @property
    def work(self) -> bool:
        """Something to write: a new or changed row."""
        return self.change != "unchanged" and self.problem is None

    @property
    def creates(self) -> bool:
        """It becomes an enrolment (and maybe an inventory seat) in this run."""
        return self.work and not self.keeps_outcome and self.outcome in LegacyBooking.IMPORTED


@dataclass(slots=True, eq=False)
class MemberPlan:
    legacy_id: str
    record: MemberRecord | None  # None: imported earlier, referred to by a booking
    existing: ExistingMember | None
    bookings: list[BookingPlan] = field(default_factory=list)
    problem: Problem | None = None
    data_changed: bool = False
    #: Changes to an existing user: field → (before, after).
    user_changes: dict[str, tuple[Any, Any]] | None = None
    user_type: str = ""
    org_ref: OrgRef | None = None
    group_org_ref: OrgRef | None = None
    group_blocker: str = ""
    made_group_applicant: bool = False
    handled_individually: bool = False
    reasons: list[dict] | None = None
    email: str = ""
    full_name: str = ""

    @property
    def is_new(self) -> bool:
        return self.existing is None

    @property
    def row(self) -> int | None:
        return self.record.row if self.record else None

    def add_reason(self, code: str, **params) -> None:
        entry = reason(code, **params)
        known = self.existing.review_reasons if self.existing else []
        if entry in known or (self.reasons and entry in self.reasons):
            return
        if self.reasons is None:
            self.reasons = []
        self.reasons.append(entry)

    def change(self, name: str, before: Any, after: Any) -> None:
        """Record a change of the existing account's ``name`` (kept: the first before)."""
        if self.user_changes is None:
            self.user_changes = {}
        if name in self.user_changes:
            before = self.user_changes[name][0]
        self.user_changes[name] = (before, after)

    @property
    def has_work(self) -> bool:
        return (
            self.is_new
            or self.data_changed
            or bool(self.user_changes)
            or bool(self.reasons)
            or any(b.work for b in self.bookings)
        )

    @property
    def imports_bookings(self) -> bool:
        return any(b.creates for b in self.bookings)


@dataclass
class Plan:
    cutoff: dt.date
    members: list[MemberPlan]
    new_org_names: dict[str, str]
    learners: dict[tuple[OrgRef, str], LearnerPlan]
    existing_learners: dict[tuple[int, str], int]
    courses: dict[str, Course]
    sessions: dict[int, SessionRow]


class Planner:
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

    # --- members --------------------------------------------------------------------------------

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

    def _parse_members(self) -> list[MemberRecord]:
        parsed: list[MemberRecord] = []
        for row in self.members_rows:
            self.mc.read += 1
            if row.values:
                self.taken_user_ids.add(row.values[1].lower())
            result = parse_member(row)
            if isinstance(result, tuple):
                legacy_id = row.values[0] if row.values else ""
                self._reject("members", row.number, legacy_id, *result)
                if legacy_id:
                    self.rejected_member_rows.setdefault(legacy_id, row.number)
                continue
            parsed.append(result)
        survivors = self._drop_duplicates(
            parsed, key=lambda r: r.legacy_id, code="duplicate_member_id"
        )
        return self._drop_duplicates(
            survivors,
            key=lambda r: r.login_id.lower(),
            code="duplicate_login_id",
            shown=lambda r: r.login_id,
        )

    def _drop_duplicates(self, records, *, key, code, shown=None, file="members"):
        counts = Counter(key(r) for r in records)
        if all(n == 1 for n in counts.values()):
            return records
        rows_of: dict[str, list[int]] = defaultdict(list)
        for r in records:
            if counts[key(r)] > 1:
                rows_of[key(r)].append(r.row)
        survivors = []
        for r in records:
            k = key(r)
            if counts[k] == 1:
                survivors.append(r)
                continue
            rows = ", ".join(str(n) for n in rows_of[k])
            value = shown(r) if shown else k
            member_id = r.member_id if file == "bookings" else ""
            self._reject(file, r.row, r.legacy_id, code, {"value": value, "rows": rows}, member_id)
            if file == "members":
                self.rejected_member_rows.setdefault(r.legacy_id, r.row)
        return survivors

    def _load_existing(self, records: list[MemberRecord], bookings: list[BookingRecord]) -> None:
        """What earlier runs imported (every legacy member and booking: one query each, no
        long IN lists), the accounts of the members that have something to do in this
        run, the user IDs in use when new ones are made, the customer organisations."""
        seen: dict[str, str] = {}
        shared = lambda value: seen.setdefault(value, value)  # noqa: E731 (types, outcomes)
        for row in (
            LegacyMember.objects.annotate(reasons=Cast("review_reasons", TextField()))
            .values_list(
                "pk",
                "legacy_member_id",
                "data_hash",
                "mapped_user_type",
                "mapped_organisation_id",
                "handled_individually",
                "needs_review",
                "reasons",
                "user_id",
            )
            .iterator(chunk_size=10000)
        ):
            legacy_id = sys.intern(row[1])
            self.existing_members[legacy_id] = ExistingMember(
                row[0], legacy_id, bytes.fromhex(row[2]), shared(row[3]), *row[4:], user=None
            )
        if self.existing_members:
            for row in LegacyBooking.objects.values_list(
                "pk",
                "legacy_booking_id",
                "legacy_member_id",
                "data_hash",
                "outcome",
                "session_id",
                "enrollment_id",
                "inventory_item_id",
            ).iterator(chunk_size=10000):
                legacy_id = sys.intern(row[1])
                self.existing_bookings[legacy_id] = ExistingBooking(
                    row[0], legacy_id, row[2], bytes.fromhex(row[3]), shared(row[4]), *row[5:]
                )
        # Accounts are read only for the members with work: a changed row, or a new or
        # changed booking (an unchanged re-run reads none).
        busy = {
            r.legacy_id
            for r in records
            if r.legacy_id in self.existing_members
            and self.existing_members[r.legacy_id].data_hash != r.hash
        }
        for b in bookings:
            known = self.existing_bookings.get(b.legacy_id)
            if known is None or known.data_hash != b.hash:
                busy.add(b.member_id)
        by_user = {
            self.existing_members[i].user_id: self.existing_members[i]
            for i in busy
            if i in self.existing_members
        }
        fields = [
            *USER_FIELDS,
            "user_type",
            "organisation_id",
            "last_login",
            "language",
            "password",
        ]
        for chunk in in_chunks(sorted(by_user)):
            for pk, *values in User.objects.filter(pk__in=chunk).values_list("pk", *fields):
                by_user[pk].user = dict(zip(fields, values, strict=True))
        # User IDs in use, case-insensitively (allauth logs in so): needed when new
        # members or learners get one, or a login ID changed.
        if any(r.legacy_id not in self.existing_members for r in records) or busy:
            for pk, username in User.objects.values_list("pk", "username").iterator(
                chunk_size=10000
            ):
                lowered = username.lower()
                self.owner_of_user_id.setdefault(lowered, pk)
                self.taken_user_ids.add(lowered)
        for pk, key in (
            Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER)
            .order_by("-pk")
            .values_list("pk", "name_key")
        ):
            self.org_pks[key] = pk  # the oldest wins (as organisation_for_name)

    def _org_ref(self, company_name: str) -> OrgRef | None:
        key = mapping.company_key(company_name)
        if not key:
            return None
        if key in self.org_pks:
            return self.org_pks[key]
        self.new_org_names.setdefault(key, mapping.company_display_name(company_name))
        return key

    def _accept_members(self, records: list[MemberRecord]) -> None:
        changed: list[MemberPlan] = []
        for record in records:
            existing = self.existing_members.get(record.legacy_id)
            owner = self.owner_of_user_id.get(record.login_id.lower())
            if owner is not None and (existing is None or owner != existing.user_id):
                self._reject(
                    "members",
                    record.row,
                    record.legacy_id,
                    "login_id_taken",
                    {"value": record.login_id},
                )
                self.rejected_member_rows.setdefault(record.legacy_id, record.row)
                continue
            plan = MemberPlan(legacy_id=record.legacy_id, record=record, existing=existing)
            plan.email, plan.full_name = record.email, record.full_name
            if existing is None:
                plan.user_type = record.user_type
                plan.org_ref = (
                    self._org_ref(record.company_name) if record.user_type == "corporate" else None
                )
                plan.group_org_ref = self._org_ref(record.company_name)
            elif existing.user is not None:
                self._existing_defaults(plan)
                if record.hash != existing.data_hash:
                    plan.data_changed = True
                    changed.append(plan)
            self.members[record.legacy_id] = plan
        self._apply_member_changes(changed)

    def _existing_defaults(self, plan: MemberPlan) -> None:
        user = plan.existing.user
        plan.user_type = user["user_type"]
        plan.org_ref = user["organisation_id"]
        if plan.record is None:
            plan.email = user["email"]
            plan.full_name = f"{user['last_name']} {user['first_name']}".strip()
        plan.group_org_ref = user["organisation_id"] or (
            self._org_ref(plan.record.company_name) if plan.record else None
        )
        if plan.user_type not in (
            UserType.INDIVIDUAL,
            UserType.CORPORATE,
            UserType.GROUP_APPLICANT,
        ):
            plan.group_blocker = str(UserType(plan.user_type).label)

    def _apply_member_changes(self, plans: list[MemberPlan]) -> None:
        """A member whose legacy row changed since the last run: carry the changed values
        over to an account nobody has used yet; otherwise list it for review."""
        if not plans:
            return
        old_data: dict[int, dict] = {}
        for chunk in in_chunks([p.existing.pk for p in plans]):
            old_data.update(LegacyMember.objects.filter(pk__in=chunk).values_list("pk", "data"))
        for plan in plans:
            before = old_data.get(plan.existing.pk, {})
            after = plan.record.data
            columns = [c for c in after if before.get(c) != after[c]]
            user = plan.existing.user
            # Nobody has used the account yet: never logged in, no password set.
            untouched = user["last_login"] is None and not is_password_usable(user["password"])
            kept = []
            for name, column in COLUMN_OF_FIELD.items():
                if column not in columns:
                    continue
                if untouched and user[name] == before.get(column, user[name]):
                    plan.change(name, user[name], after[column])
                else:
                    kept.append(column)
            if "member_type" in columns or "company_name" in columns:
                new_type = plan.record.user_type
                new_org = (
                    self._org_ref(plan.record.company_name) if new_type == "corporate" else None
                )
                as_imported = (user["user_type"], user["organisation_id"]) == (
                    plan.existing.mapped_user_type,
                    plan.existing.mapped_organisation_id,
                )
                if untouched and as_imported and not plan.existing.handled_individually:
                    if new_type != user["user_type"]:
                        plan.change("user_type", user["user_type"], new_type)
                    if new_org != user["organisation_id"]:
                        plan.change("organisation", user["organisation_id"], new_org)
                    plan.user_type, plan.org_ref = new_type, new_org
                    plan.group_org_ref = new_org or self._org_ref(plan.record.company_name)
                else:
                    kept += [c for c in ("member_type", "company_name") if c in columns]
            if kept:
                plan.add_reason("legacy_data_changed", fields=", ".join(kept))

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


def _minute(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(second=0, microsecond=0)
