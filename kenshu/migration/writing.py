"""Writing a planned import: members in chunks, each chunk in batched inserts.

Each chunk of members runs in its own savepoint. Should the database refuse a chunk
(something changed between the checks and the writes, e.g. a user ID taken by a
signup meanwhile), the chunk is rolled back and written again member by member,
each in its own savepoint: the member the database refuses is rejected with the
reason, and nothing of it is kept (R-MIGRATE-3). Organisations and group learners
a chunk creates are shared with later chunks only once the chunk has succeeded.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from kenshu.accounts.models import Organisation, User
from kenshu.audit.services import audit_log_many
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import Assignment, InventoryItem, Seat

from . import mapping
from .bulk import BulkTable
from .models import LegacyBooking, LegacyMember
from .plans import USER_FIELDS, MemberPlan, OrgRef, Plan, in_chunks
from .problems import Problem

#: Members per chunk (one savepoint, a few batched inserts per table).
CHUNK_SIZE = 2000
BATCH_SIZE = 1000
UserType = User.UserType

MEMBER_FLAG_FIELDS = [
    "mapped_user_type",
    "mapped_organisation",
    "handled_individually",
    "needs_review",
    "review_reasons",
    "updated_at",
]
MEMBER_DATA_FIELDS = ["data", "data_hash", "row_number", *MEMBER_FLAG_FIELDS]
USER_UPDATE_FIELDS = [*USER_FIELDS, "user_type", "organisation"]
BOOKING_UPDATE_FIELDS = [
    "legacy_member",
    "data",
    "data_hash",
    "row_number",
    "outcome",
    "session",
    "enrollment",
    "inventory_item",
    "updated_at",
]


@dataclass
class WriteStats:
    organisations_created: int = 0
    learners_created: int = 0
    group_applicants: int = 0
    enrollments_created: int = 0
    seats_created: int = 0
    refused: list[tuple[MemberPlan, str]] = field(default_factory=list)


@dataclass
class _ChunkResult:
    orgs: dict[str, int] = field(default_factory=dict)
    learners: dict[tuple, int] = field(default_factory=dict)
    stats: WriteStats = field(default_factory=WriteStats)


class Writer:
    def __init__(self, plan: Plan, *, actor=None, now: dt.datetime):
        self.plan = plan
        self.actor = actor
        self.now = now
        self.org_pks: dict[str, int] = {}
        self.learner_pks: dict[tuple, int] = {}
        self.tiers: dict[str, str] = {}
        self.stats = WriteStats()
        self.organisations = BulkTable(Organisation, now=now)
        self.users = BulkTable(User, now=now)
        self.legacy_members = BulkTable(LegacyMember, now=now)
        self.legacy_bookings = BulkTable(LegacyBooking, now=now)
        self.enrollments = BulkTable(Enrollment, now=now)
        self.items = BulkTable(InventoryItem, now=now)
        self.seats = BulkTable(Seat, now=now)
        self.assignments = BulkTable(Assignment, now=now)

    def write(self, members: list[MemberPlan], progress=None) -> WriteStats:
        done = 0
        for chunk in in_chunks(members, CHUNK_SIZE):
            try:
                with transaction.atomic():
                    result = self._write_chunk(chunk)
            except DatabaseError:
                for member in chunk:
                    try:
                        with transaction.atomic():
                            result = self._write_chunk([member])
                    except DatabaseError as exc:
                        self.stats.refused.append((member, str(exc).strip()[:300]))
                    else:
                        self._keep(result)
            else:
                self._keep(result)
            done += len(chunk)
            if progress:
                progress(done)
        return self.stats

    def _keep(self, result: _ChunkResult) -> None:
        self.org_pks.update(result.orgs)
        self.learner_pks.update(result.learners)
        for name in (
            "organisations_created",
            "learners_created",
            "group_applicants",
            "enrollments_created",
            "seats_created",
        ):
            setattr(self.stats, name, getattr(self.stats, name) + getattr(result.stats, name))

    def _tiers_for(self, delivery: str) -> list:
        if delivery not in self.tiers:
            self.tiers[delivery] = policy_tiers_for(delivery)
        return self.tiers[delivery]

    # --- one chunk ------------------------------------------------------------------------------

    def _write_chunk(self, members: list[MemberPlan]) -> _ChunkResult:
        result = _ChunkResult()
        self._create_organisations(members, result)

        def org_pk(ref: OrgRef | None) -> int | None:
            if ref is None or isinstance(ref, int):
                return ref
            return result.orgs.get(ref) or self.org_pks[ref]

        audit: list[tuple] = []
        user_pks = self._create_member_users(members, org_pk)
        self._update_member_users(members, org_pk, audit)
        learners = self._create_learners(members, org_pk, result)
        legacy_members = self._save_legacy_members(members, user_pks, org_pk)
        self._create_places(members, user_pks, learners, org_pk, result)
        self._save_legacy_bookings(members, legacy_members)
        for member in members:
            if member.made_group_applicant:
                if member.is_new:
                    record = member.record
                    target = User(
                        pk=user_pks[member.legacy_id],
                        username=record.login_id,
                        last_name=record.last_name,
                        first_name=record.first_name,
                    )
                else:
                    user = member.existing.user
                    target = User(
                        pk=member.existing.user_id,
                        username=user["username"],
                        last_name=user["last_name"],
                        first_name=user["first_name"],
                    )
                audit.append(
                    (
                        "migration.group_applicant_made",
                        target,
                        {
                            "legacy_member_id": member.legacy_id,
                            "organisation": org_pk(member.org_ref),
                            "seats": sum(1 for b in member.bookings if b.creates and not b.is_self),
                        },
                    )
                )
        result.stats.group_applicants = sum(1 for m in members if m.made_group_applicant)
        if audit:
            audit_log_many(actor=self.actor, entries=audit, batch_size=BATCH_SIZE)
        return result

    def _create_organisations(self, members: list[MemberPlan], result: _ChunkResult) -> None:
        keys = {m.org_ref for m in members if isinstance(m.org_ref, str)}
        for member in members:
            for booking in member.bookings:
                if (
                    booking.creates
                    and booking.learner_key
                    and isinstance(booking.learner_key[0], str)
                ):
                    keys.add(booking.learner_key[0])
        new = sorted(k for k in keys if k not in self.org_pks)
        ids = self.organisations.insert(
            [
                {
                    "name": self.plan.new_org_names[key],
                    "name_key": key,
                    "kind": Organisation.Kind.CUSTOMER,
                }
                for key in new
            ]
        )
        result.orgs.update(zip(new, ids, strict=True))
        result.stats.organisations_created = len(new)

    def _create_member_users(self, members, org_pk) -> dict[str, int]:
        """New members' accounts; returns legacy ID → user pk."""
        new = [m for m in members if m.is_new]
        rows = []
        for member in new:
            record = member.record
            rows.append(
                {
                    "username": record.login_id,
                    "email": record.email,
                    "last_name": record.last_name,
                    "first_name": record.first_name,
                    "last_name_kana": record.last_name_kana,
                    "first_name_kana": record.first_name_kana,
                    "department": record.department,
                    "phone": record.phone,
                    "user_type": member.user_type,
                    "organisation_id": org_pk(member.org_ref),
                    "language": "ja",
                    "is_active": True,
                    "password": mapping.unusable_password(),
                    "date_joined": record.registered_at or self.now,
                }
            )
        ids = self.users.insert(rows)
        return {m.legacy_id: pk for m, pk in zip(new, ids, strict=True)}

    def _update_member_users(self, members, org_pk, audit) -> None:
        changed = []
        for member in members:
            if member.is_new or not member.user_changes:
                continue
            values = {name: member.existing.user[name] for name in USER_FIELDS}
            values["user_type"] = member.existing.user["user_type"]
            values["organisation_id"] = member.existing.user["organisation_id"]
            data = {}
            for name, (before, after) in member.user_changes.items():
                if name == "organisation":
                    after = org_pk(after)
                    before = org_pk(before)
                    values["organisation_id"] = after
                else:
                    values[name] = after
                data[name] = [before, after]
            user = User(pk=member.existing.user_id, **values)
            changed.append(user)
            audit.append(
                (
                    "migration.member_updated",
                    user,
                    {"legacy_member_id": member.legacy_id, "changes": data},
                )
            )
            if "user_type" in data:
                audit.append(
                    (
                        "user.type_changed",
                        user,
                        {
                            "from": data["user_type"][0],
                            "to": data["user_type"][1],
                            "organisation_from": member.existing.user["organisation_id"],
                            "organisation_to": values["organisation_id"],
                            "reason": "legacy import (R-MIGRATE-2)",
                        },
                    )
                )
        if changed:
            User.objects.bulk_update(changed, USER_UPDATE_FIELDS, batch_size=BATCH_SIZE)

    def _create_learners(self, members, org_pk, result) -> dict[tuple, int]:
        """Group learners for the participants: found by email in the organisation, or
        created; returns learner key → user pk."""
        found: dict[tuple, int] = {}
        new: dict[tuple, dict] = {}
        for member in members:
            for booking in member.bookings:
                if not booking.creates or booking.is_self:
                    continue
                key = booking.learner_key
                org_ref, email = key
                if isinstance(org_ref, int) and (org_ref, email) in self.plan.existing_learners:
                    found[key] = self.plan.existing_learners[(org_ref, email)]
                elif key in self.learner_pks:
                    found[key] = self.learner_pks[key]
                elif key not in new:
                    learner = self.plan.learners[key]
                    new[key] = {
                        "username": learner.username,
                        "email": learner.email,
                        "last_name": learner.last_name,
                        "first_name": learner.first_name,
                        "user_type": UserType.GROUP_LEARNER,
                        "organisation_id": org_pk(org_ref),
                        "language": "ja",
                        "is_active": True,
                        "password": mapping.unusable_password(),
                        "date_joined": self.now,
                    }
        ids = self.users.insert(list(new.values()))
        result.learners.update(zip(new, ids, strict=True))
        result.stats.learners_created = len(new)
        found.update(result.learners)
        return found

    def _save_legacy_members(self, members, user_pks, org_pk) -> dict[str, int]:
        """The ``LegacyMember`` rows; returns legacy ID → pk."""
        now = self.now
        pks: dict[str, int] = {}
        new_members, new_rows, with_data, flags_only = [], [], [], []
        for member in members:
            existing = member.existing
            if existing is None:
                record = member.record
                new_members.append(member)
                new_rows.append(
                    {
                        "legacy_member_id": member.legacy_id,
                        "user_id": user_pks[member.legacy_id],
                        "data": record.data,
                        "data_hash": record.hash.hex(),
                        "row_number": record.row,
                        "mapped_user_type": member.user_type,
                        "mapped_organisation_id": org_pk(member.org_ref),
                        "handled_individually": member.handled_individually,
                        "needs_review": bool(member.reasons),
                        "review_reasons": member.reasons or [],
                        "imported_at": now,
                        "updated_at": now,
                    }
                )
                continue
            pks[member.legacy_id] = existing.pk
            if not (member.data_changed or member.user_changes or member.reasons) and (
                member.handled_individually == existing.handled_individually
            ):
                continue
            mapped_type, mapped_org = existing.mapped_user_type, existing.mapped_organisation_id
            changes = member.user_changes or {}
            if "user_type" in changes or "organisation" in changes:
                mapped_type, mapped_org = member.user_type, org_pk(member.org_ref)
            row = LegacyMember(
                pk=existing.pk,
                mapped_user_type=mapped_type,
                mapped_organisation_id=mapped_org,
                handled_individually=member.handled_individually,
                needs_review=existing.needs_review or bool(member.reasons),
                review_reasons=[*existing.review_reasons, *(member.reasons or ())],
                updated_at=now,
            )
            if member.data_changed:
                row.data = member.record.data
                row.data_hash = member.record.hash.hex()
                row.row_number = member.record.row
                with_data.append(row)
            else:
                flags_only.append(row)
        ids = self.legacy_members.insert(new_rows)
        pks.update((m.legacy_id, pk) for m, pk in zip(new_members, ids, strict=True))
        if with_data:
            LegacyMember.objects.bulk_update(with_data, MEMBER_DATA_FIELDS, batch_size=BATCH_SIZE)
        if flags_only:
            LegacyMember.objects.bulk_update(flags_only, MEMBER_FLAG_FIELDS, batch_size=BATCH_SIZE)
        return pks

    def _create_places(self, members, user_pks, learners, org_pk, result) -> None:
        """Enrolments for the member's own bookings; for the others an inventory purchase
        of one seat, assigned to the participant's group learner (R-MIGRATE-2)."""
        enrollments, items, placed = [], [], []
        for member in members:
            member_pk = user_pks.get(member.legacy_id) or member.existing.user_id
            for booking in member.bookings:
                if not booking.creates:
                    continue
                session = booking.session
                course = session.course
                tiers = self._tiers_for(course.delivery)
                applied_at = booking.record.applied_at or self.now
                learner_pk = member_pk if booking.is_self else learners[booking.learner_key]
                placed.append((booking, member_pk, learner_pk, applied_at))
                enrollments.append(
                    {
                        "learner_id": learner_pk,
                        "applicant_id": member_pk,
                        "course_id": course.pk,
                        "session_id": session.pk,
                        "source": (
                            Enrollment.Source.SELF
                            if booking.is_self
                            else Enrollment.Source.INVENTORY
                        ),
                        "state": Enrollment.State.APPLIED,
                        "fee": booking.record.fee,
                        "applied_at": applied_at,
                        "cancellation_tiers": tiers,
                    }
                )
                if not booking.is_self:
                    items.append(
                        {
                            "applicant_id": member_pk,
                            "organisation_id": org_pk(member.org_ref),
                            "course_id": course.pk,
                            "session_id": session.pk,
                            "quantity": 1,
                            "unit_fee": booking.record.fee,
                            "cancellation_tiers": tiers,
                            "purchased_at": applied_at,
                        }
                    )
        enrollment_ids = self.enrollments.insert(enrollments)
        item_ids = iter(self.items.insert(items))
        seats, assigned = [], []
        for (booking, member_pk, learner_pk, applied_at), enrollment_id in zip(
            placed, enrollment_ids, strict=True
        ):
            booking.enrollment = enrollment_id
            if booking.is_self:
                continue
            booking.inventory_item = next(item_ids)
            seats.append(
                {
                    "item_id": booking.inventory_item,
                    "state": Seat.State.ASSIGNED,
                    "learner_id": learner_pk,
                    "enrollment_id": enrollment_id,
                    "assigned_at": applied_at,
                }
            )
            assigned.append(member_pk)
        seat_ids = self.seats.insert(seats)
        self.assignments.insert(
            [
                {
                    "seat_id": seat_id,
                    "learner_id": seat["learner_id"],
                    "enrollment_id": seat["enrollment_id"],
                    "assigned_at": seat["assigned_at"],
                    "assigned_by_id": applicant,
                }
                for seat_id, seat, applicant in zip(seat_ids, seats, assigned, strict=True)
            ]
        )
        result.stats.enrollments_created = len(enrollment_ids)
        result.stats.seats_created = len(seat_ids)

    def _save_legacy_bookings(self, members, legacy_members: dict[str, int]) -> None:
        now = self.now
        new, changed = [], []
        for member in members:
            for booking in member.bookings:
                if not booking.work:
                    continue
                record = booking.record
                existing = booking.existing
                values = {
                    "legacy_booking_id": record.legacy_id,
                    "legacy_member_id": legacy_members[member.legacy_id],
                    "data": record.data,
                    "data_hash": record.hash.hex(),
                    "row_number": record.row,
                    "outcome": booking.outcome,
                    "session_id": booking.session.pk if booking.session else None,
                    "enrollment_id": booking.enrollment if booking.creates else None,
                    "inventory_item_id": (
                        booking.inventory_item if booking.creates and not booking.is_self else None
                    ),
                    "imported_at": now,
                    "updated_at": now,
                }
                if existing is not None and booking.keeps_outcome:
                    values.update(
                        legacy_member_id=existing.legacy_member_pk,
                        outcome=existing.outcome,
                        session_id=existing.session_id,
                        enrollment_id=existing.enrollment_id,
                        inventory_item_id=existing.inventory_item_id,
                    )
                if existing is None:
                    new.append(values)
                else:
                    del values["imported_at"]
                    changed.append(LegacyBooking(pk=existing.pk, **values))
        self.legacy_bookings.insert(new)
        if changed:
            LegacyBooking.objects.bulk_update(changed, BOOKING_UPDATE_FIELDS, batch_size=BATCH_SIZE)


def refused_problem(member: MemberPlan, error: str) -> Problem:
    return Problem(
        "rejected",
        "members" if member.record is not None else "bookings",
        member.row,
        member.legacy_id,
        "database_refused",
        {"error": error},
        member.legacy_id,
    )
