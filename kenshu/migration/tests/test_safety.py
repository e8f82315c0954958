"""R-MIGRATE-3: a second run changes nothing; the dry run reports what a real run would do
and keeps nothing; bad rows are rejected with row number and reason without stopping the
run; a member whose rows are inconsistent is committed not at all; the report CSV."""

import csv
import io

import pytest
from django.apps import apps
from django.db import IntegrityError

from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import UserFactory
from kenshu.enrollments.models import Enrollment
from kenshu.migration import writing
from kenshu.migration.models import LegacyBooking, LegacyMember
from kenshu.migration.report import report_csv
from kenshu.notifications.models import OutboxEmail

from .helpers import booking, bookings_file, corporate, member, members_file, problems_of, run

pytestmark = pytest.mark.django_db

ENCODINGS = ["cp932", "utf-8-sig"]


def row_counts() -> dict[str, int]:
    """Rows in every table of Kenshu's apps."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "accounts",
            "audit",
            "catalog",
            "enrollments",
            "inventory",
            "migration",
            "notifications",
            "billing",
        }
    }


def files(encoding="utf-8"):
    """Members and bookings of every kind, with some bad rows."""
    members = [
        member(1),
        corporate(2, login_id="jinji", company="株式会社サンプル"),
        corporate(3, company="株式会社　ｻﾝﾌﾟﾙ"),
        member(4, email="not-an-email"),
        member(5, member_type="団体"),
        member(6),
    ]
    bookings = [
        booking(1, "M0001"),
        booking(2, "M0002", participant_name="鈴木 一郎", participant_email="suzuki@example.jp"),
        booking(3, "M0002"),
        booking(4, "M0003", status="キャンセル"),
        booking(5, "M0003", session_start="2023/10/20 10:00"),
        booking(6, "M0004"),
        booking(7, "M0099"),
        booking(8, "M0006", course_code="ILC9999"),
        booking(9, "M0006"),
    ]
    return members_file(members, encoding), bookings_file(bookings, encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_R_MIGRATE_3_a_second_run_changes_nothing(encoding, catalogue):
    members, bookings = files(encoding)
    first = run(members, bookings)
    after_first = row_counts()

    second = run(members, bookings)

    assert row_counts() == after_first
    assert first.members.created == 3
    m, b = second.members, second.bookings
    assert (m.created, m.updated, m.unchanged, m.rejected) == (0, 0, 3, 3)
    assert (b.created, b.updated, b.unchanged, b.skipped, b.rejected) == (0, 0, 5, 0, 4)
    assert second.organisations_created == second.learners_created == 0


def test_R_MIGRATE_3_a_changed_legacy_row_is_updated_and_reported(catalogue):
    run([member(1), corporate(2)], [booking(1, "M0002", status="キャンセル")])

    result = run(
        [member(1, last_name="佐藤", department="営業部"), corporate(2)],
        [booking(1, "M0002", status="申込")],  # reinstated in the old system
    )

    assert (result.members.updated, result.members.unchanged) == (2, 0)
    assert (result.bookings.updated, result.bookings.created) == (1, 0)
    user = User.objects.get(username="member1")
    assert (user.last_name, user.department) == ("佐藤", "営業部")
    assert LegacyMember.objects.get(legacy_member_id="M0001").data["last_name"] == "佐藤"
    assert Enrollment.objects.get().learner.username == "member2"
    assert LegacyBooking.objects.get().outcome == LegacyBooking.Outcome.ENROLLED
    (entry,) = AuditEntry.objects.filter(action="migration.member_updated")
    assert entry.data["changes"] == {
        "last_name": ["山田", "佐藤"],
        "department": ["", "営業部"],
    }
    assert (
        run(
            [member(1, last_name="佐藤", department="営業部"), corporate(2)],
            [booking(1, "M0002", status="申込")],
        ).members.unchanged
        == 2
    )


@pytest.mark.parametrize("used", ["logged in", "set a password"])
def test_R_MIGRATE_3_the_new_system_wins_once_the_member_has_used_it(catalogue, used):
    run([member(1)])
    user = User.objects.get(username="member1")
    if used == "logged in":
        user.last_login = user.date_joined
    else:
        user.set_password("Momiji-Kaede-2026")
    user.save()

    result = run([member(1, last_name="佐藤")])

    user.refresh_from_db()
    assert user.last_name == "山田"
    assert result.members.updated == 1
    legacy = LegacyMember.objects.get()
    assert legacy.needs_review
    assert {"code": "legacy_data_changed", "params": {"fields": "last_name"}} in (
        legacy.review_reasons
    )


def test_R_MIGRATE_3_a_changed_imported_booking_keeps_what_it_became_and_is_reviewed(
    catalogue,
):
    run([member(1)], [booking(1)])
    enrollment = Enrollment.objects.get()

    result = run([member(1)], [booking(1, status="キャンセル")])

    assert result.bookings.updated == 1
    enrollment.refresh_from_db()
    assert enrollment.state == Enrollment.State.APPLIED
    assert LegacyBooking.objects.get().data["status"] == "キャンセル"
    legacy = LegacyMember.objects.get()
    assert {"code": "booking_changed", "params": {"value": "B00001"}} in legacy.review_reasons


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_R_MIGRATE_3_the_dry_run_keeps_nothing_and_reports_what_a_real_run_does(
    encoding, catalogue
):
    members, bookings = files(encoding)
    before = row_counts()

    dry = run(members, bookings, dry_run=True, send_notices=True)

    assert row_counts() == before
    real = run(members, bookings, send_notices=True)
    assert dry.dry_run and not real.dry_run
    assert dry.members == real.members and dry.bookings == real.bookings
    assert report_csv(dry) == report_csv(real)
    for name in (
        "organisations_created",
        "learners_created",
        "group_applicants",
        "enrollments_created",
        "seats_created",
        "notices_queued",
    ):
        assert getattr(dry, name) == getattr(real, name), name
    assert real.notices_queued == 3 == OutboxEmail.objects.count()


def test_R_MIGRATE_3_bad_rows_are_rejected_with_row_and_reason_and_the_rest_is_imported(
    catalogue,
):
    members, bookings = files()
    result = run(members, bookings)

    assert problems_of(result) == [
        ("bookings", 7, "member_rejected"),
        ("bookings", 8, "unknown_member"),
        ("bookings", 9, "unknown_course"),
        ("bookings", 10, "sibling_rejected"),
        ("members", 5, "invalid_email"),
        ("members", 6, "unknown_member_type"),
        ("members", 7, "member_bookings_rejected"),
    ]
    assert set(LegacyMember.objects.values_list("legacy_member_id", flat=True)) == {
        "M0001",
        "M0002",
        "M0003",
    }
    by_code = {p.code: p for p in result.rejected}
    assert (
        by_code["invalid_email"].message
        == "email: 「not-an-email」は正しいメールアドレスではありません。"
    )
    assert "M0004" in by_code["member_rejected"].message


def test_R_MIGRATE_3_a_member_with_an_inconsistent_row_is_committed_not_at_all(catalogue):
    result = run(
        [corporate(1), member(2)],
        [
            booking(1, "M0001"),
            booking(2, "M0001", participant_name="鈴木", participant_email="s@example.jp"),
            booking(3, "M0001", participant_name="高橋"),  # another person, no email
            booking(4, "M0002"),
        ],
    )

    assert problems_of(result) == [
        ("bookings", 2, "sibling_rejected"),
        ("bookings", 3, "sibling_rejected"),
        ("bookings", 4, "participant_email_required"),
        ("members", 2, "member_bookings_rejected"),
    ]
    assert not User.objects.filter(username="member1").exists()
    assert not User.objects.filter(user_type=User.UserType.GROUP_LEARNER).exists()
    assert list(Enrollment.objects.values_list("learner__username", flat=True)) == ["member2"]
    assert LegacyBooking.objects.count() == 1


@pytest.mark.parametrize(
    "members, code",
    [
        pytest.param([member(1), member(1, login_id="other")], "duplicate_member_id", id="ids"),
        pytest.param([member(1), member(2, login_id="MEMBER1")], "duplicate_login_id", id="logins"),
    ],
)
def test_R_MIGRATE_3_duplicated_ids_reject_every_row_that_has_them(catalogue, members, code):
    result = run(members)
    assert problems_of(result) == [("members", 2, code), ("members", 3, code)]
    assert result.rejected[0].params["rows"] == "2, 3"
    assert not LegacyMember.objects.exists()


def test_R_MIGRATE_3_duplicated_booking_ids_reject_both_bookings_and_their_member(catalogue):
    result = run([member(1)], [booking(1), booking(1, session_start="2023-12-01 13:30")])
    assert ("bookings", 2, "duplicate_booking_id") in problems_of(result)
    assert ("members", 2, "member_bookings_rejected") in problems_of(result)


def test_R_MIGRATE_3_a_login_id_of_another_account_is_refused(catalogue):
    UserFactory(username="Yamada")
    result = run([member(1, login_id="yamada")])
    assert problems_of(result) == [("members", 2, "login_id_taken")]


def test_R_MIGRATE_3_the_database_refusing_a_member_rejects_it_alone(catalogue, monkeypatch):
    """A member the checks let through but the database refuses (e.g. a user ID taken by
    a signup between the checks and the writes) is rejected; the others are written."""
    real = writing.Writer._create_member_users

    def refuse_member_2(self, members, org_pk):
        if any(m.legacy_id == "M0002" for m in members):
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(self, members, org_pk)

    monkeypatch.setattr(writing.Writer, "_create_member_users", refuse_member_2)
    result = run([member(1), member(2), member(3)], [booking(1, "M0002")])

    assert problems_of(result) == [
        ("bookings", 2, "database_refused"),
        ("members", 3, "database_refused"),
    ]
    assert (result.members.created, result.members.rejected) == (2, 1)
    assert set(User.objects.values_list("username", flat=True)) == {"member1", "member3"}
    assert not Enrollment.objects.exists()


def test_R_MIGRATE_3_the_report_lists_rejected_rows_skipped_bookings_and_members_to_review(
    catalogue,
):
    members, bookings = files("cp932")
    result = run(members, bookings)

    rows = list(csv.reader(io.StringIO(report_csv(result).decode("utf-8-sig"))))
    assert report_csv(result).startswith(b"\xef\xbb\xbf")
    assert rows[0] == ["区分", "ファイル", "行", "旧ID", "旧会員ID", "コード", "理由"]
    kinds = [r[0] for r in rows[1:]]
    assert kinds == ["取込不可"] * 7 + ["取込対象外"] * 2 + ["要確認"] * 2
    assert rows[5][:6] == ["取込不可", "members", "5", "M0004", "M0004", "invalid_email"]
    assert rows[1][:6] == ["取込不可", "bookings", "7", "B00006", "M0004", "member_rejected"]
    assert rows[-1][3] == "M0002" and "グループ申込者" in rows[-1][6]


def test_R_MIGRATE_3_a_run_is_audited_with_its_actor_who_needs_the_right(catalogue, sato):
    from kenshu.accounts import roles
    from kenshu.core.exceptions import NotPermitted
    from kenshu.core.testing import make_staff

    with pytest.raises(NotPermitted):
        run([member(1)], actor=sato)
    assert not LegacyMember.objects.exists()

    administrator = make_staff(roles.ADMINISTRATOR)
    run([member(1)], actor=administrator)
    entry = AuditEntry.objects.get(action="migration.run")
    assert entry.actor == administrator
    assert entry.data["members"]["created"] == 1
