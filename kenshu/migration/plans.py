"""What a planned import is made of: the rows earlier runs left, the plans of members,
bookings and learners, the counts, and the shared look-up helpers (``planning`` builds
them, ``writing`` carries them out)."""

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from kenshu.accounts.models import User
from kenshu.catalog.models import Course
from kenshu.core.time import TOKYO

from .models import LegacyBooking
from .parsing import BookingRecord, MemberRecord
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
