"""Planning an import, the members' steps: reading the members file, what earlier runs
imported and the accounts they made, and what changes for each member (a mixin of
``planning.Planner``, whose state it uses)."""

import sys
from collections import Counter, defaultdict

from django.contrib.auth.hashers import is_password_usable
from django.db.models import TextField
from django.db.models.functions import Cast

from kenshu.accounts.models import Organisation, User

from . import mapping
from .models import LegacyBooking, LegacyMember
from .parsing import BookingRecord, MemberRecord, parse_member
from .plans import (
    COLUMN_OF_FIELD,
    USER_FIELDS,
    ExistingBooking,
    ExistingMember,
    MemberPlan,
    OrgRef,
    UserType,
    in_chunks,
)


class MemberSteps:
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
