"""R-MIGRATE-1 (types, user ID, email, no password) and R-MIGRATE-2 (the cut-off rule:
own bookings → enrolments; bookings for others → a group applicant with assigned
inventory seats; every such member listed for review), on files written in CP932,
UTF-8 with BOM and plain UTF-8."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from kenshu.accounts.models import Organisation, User
from kenshu.audit.models import AuditEntry
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.core.testing import OrganisationFactory, UserFactory
from kenshu.core.time import TOKYO
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.seats import seats_taken
from kenshu.inventory.models import Assignment, InventoryItem, Seat
from kenshu.migration.models import LegacyBooking, LegacyMember

from .helpers import booking, corporate, member, problems_of, run

pytestmark = pytest.mark.django_db

ENCODINGS = ["cp932", "utf-8-sig", "utf-8"]


# --- R-MIGRATE-1 ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_R_MIGRATE_1_kojin_becomes_individual_and_hojin_corporate_with_its_organisation(
    encoding, catalogue
):
    result = run(
        [
            member(1, login_id="yamada", email="Yamada@Example.jp"),
            corporate(2, login_id="sato-corp", company="株式会社サンプル"),
        ],
        encoding=encoding,
    )

    assert result.members.created == 2 and result.members.rejected == 0
    individual = User.objects.get(username="yamada")
    assert individual.user_type == User.UserType.INDIVIDUAL
    assert individual.organisation is None
    assert individual.email == "Yamada@Example.jp"
    assert (individual.last_name, individual.first_name) == ("山田", "太郎1")
    assert (individual.last_name_kana, individual.first_name_kana) == ("ヤマダ", "タロウ")
    assert individual.date_joined == dt.datetime(2019, 4, 1, tzinfo=TOKYO)
    assert individual.is_active
    corp = User.objects.get(username="sato-corp")
    assert corp.user_type == User.UserType.CORPORATE
    assert corp.organisation.name == "株式会社サンプル"
    assert corp.department == "人事部"
    assert LegacyMember.objects.get(legacy_member_id="M0002").user == corp


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_R_MIGRATE_1_one_organisation_per_company_name_whatever_its_width_and_spaces(
    encoding, catalogue
):
    existing = OrganisationFactory(name="株式会社 サンプル商事")
    run(
        [
            corporate(1, company="株式会社サンプル商事"),
            corporate(2, company="株式会社　ｻﾝﾌﾟﾙ商事 "),
            corporate(3, company="株式会社ＡＢＣ"),
            corporate(4, company="株式会社 ABC"),
        ],
        encoding=encoding,
    )

    users = User.objects.filter(legacy_member__isnull=False).order_by("username")
    assert [u.organisation_id for u in users[:2]] == [existing.pk, existing.pk]
    assert users[2].organisation_id == users[3].organisation_id != existing.pk
    assert Organisation.objects.get(pk=users[2].organisation_id).name == "株式会社ABC"
    assert Organisation.objects.count() == 2


def test_R_MIGRATE_1_no_password_is_carried_over(catalogue):
    run([member(1, login_id="yamada")])

    user = User.objects.get(username="yamada")
    assert not user.has_usable_password()
    assert user.password.startswith("!")
    assert not EmailAddress.objects.filter(user=user).exists()  # proved by the reissue link


def test_R_MIGRATE_1_forgot_user_id_finds_a_migrated_member(
    catalogue, django_capture_on_commit_callbacks
):
    run([member(1, login_id="legacy-yamada", email="yamada@example.jp")])

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/accounts/forgot-user-id/",
            {"email": "YAMADA@example.jp", "captcha_0": "k", "captcha_1": "PASSED"},
        )

    assert response.status_code == 302
    (message,) = mail.outbox
    assert "- legacy-yamada\n" in message.body


def test_R_MIGRATE_1_a_migrated_member_sets_a_password_through_reissue_and_logs_in(
    catalogue, django_capture_on_commit_callbacks
):
    run([member(1, login_id="legacy-yamada", email="yamada@example.jp")])

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password/reset/",
            {"email": "yamada@example.jp", "captcha_0": "k", "captcha_1": "PASSED"},
        )
    (message,) = mail.outbox
    link = next(w for w in message.body.split() if "/accounts/password/reset/key/" in w)
    response = client.get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            response["Location"],
            {"password1": "Momiji-Kaede-2026", "password2": "Momiji-Kaede-2026"},
        )
    login = Client()
    login.post("/accounts/login/", {"login": "legacy-yamada", "password": "Momiji-Kaede-2026"})
    assert "_auth_user_id" in login.session


# --- R-MIGRATE-2 ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_R_MIGRATE_2_own_live_bookings_after_the_cutoff_become_enrolments(encoding, catalogue):
    result = run(
        [member(1, login_id="yamada", email="yamada@example.jp")],
        [
            booking(1, session_start="2023/11/15 10:00", fee="30,000"),
            booking(
                2,
                course_code="LIVE200",
                session_start="２０２３－１１－２０ １０:００",
                participant_email="YAMADA@example.jp",
                participant_name="山田 太郎1",
                applied_at="2023/9/2",
                fee="20000",
            ),
        ],
        encoding=encoding,
    )

    assert result.bookings.created == 2
    yamada = User.objects.get(username="yamada")
    assert yamada.user_type == User.UserType.INDIVIDUAL
    first, second = Enrollment.objects.order_by("session__starts_at")
    assert first.session == catalogue["november"]
    assert first.learner == first.applicant == yamada
    assert first.source == Enrollment.Source.SELF
    assert first.state == Enrollment.State.APPLIED
    assert first.order is None
    assert first.fee == 30_000
    assert first.applied_at == dt.datetime(2023, 9, 1, 12, 0, tzinfo=TOKYO)
    assert first.cancellation_tiers == policy_tiers_for("classroom")
    assert second.session == catalogue["live"]
    assert second.fee == 20_000
    assert second.applied_at == dt.datetime(2023, 9, 2, tzinfo=TOKYO)
    assert second.cancellation_tiers == policy_tiers_for("live")
    assert LegacyBooking.objects.get(legacy_booking_id="B00001").enrollment == first
    member_row = LegacyMember.objects.get()
    assert member_row.handled_individually and member_row.needs_review
    assert result.handled_individually == ["M0001"]


def test_R_MIGRATE_2_a_participant_without_email_but_with_the_members_name_is_the_member(
    catalogue,
):
    run(
        [member(1)],
        [booking(1, participant_name="山田　太郎1"), booking(2, session_start="2023-12-01 13:30")],
    )
    assert set(Enrollment.objects.values_list("learner__username", flat=True)) == {"member1"}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_R_MIGRATE_2_bookings_for_others_make_a_group_applicant_with_assigned_seats(
    encoding, catalogue
):
    result = run(
        [corporate(1, login_id="jinji", email="jinji@example.jp", company="株式会社サンプル")],
        [
            booking(1),  # its own
            booking(2, participant_name="鈴木 一郎", participant_email="suzuki@example.jp"),
            booking(
                3,
                session_start="2023/12/1 13:30",
                participant_name="鈴木 一郎",
                participant_email="Suzuki@Example.jp",
                fee="25000",
            ),
            booking(4, participant_name="高橋 花子", participant_email="takahashi@example.jp"),
        ],
        encoding=encoding,
    )

    assert result.bookings.created == 4 and result.group_applicants == 1
    applicant = User.objects.get(username="jinji")
    assert applicant.user_type == User.UserType.GROUP_APPLICANT
    assert applicant.organisation.name == "株式会社サンプル"
    learners = User.objects.filter(user_type=User.UserType.GROUP_LEARNER).order_by("username")
    assert [(u.username, u.email, u.last_name, u.first_name) for u in learners] == [
        ("suzuki@example.jp", "suzuki@example.jp", "鈴木", "一郎"),
        ("takahashi@example.jp", "takahashi@example.jp", "高橋", "花子"),
    ]
    assert {u.organisation_id for u in learners} == {applicant.organisation_id}
    assert not any(u.has_usable_password() for u in learners)

    own = Enrollment.objects.get(source=Enrollment.Source.SELF)
    assert own.learner == own.applicant == applicant
    items = InventoryItem.objects.order_by("pk")
    assert items.count() == 3
    for item in items:
        assert (item.applicant, item.organisation, item.quantity, item.order) == (
            applicant,
            applicant.organisation,
            1,
            None,
        )
        (seat,) = item.seats.all()
        assert seat.state == Seat.State.ASSIGNED
        assert seat.enrollment.source == Enrollment.Source.INVENTORY
        assert seat.enrollment.learner == seat.learner
        assert seat.enrollment.applicant == applicant
        assert seat.enrollment.fee == item.unit_fee
        (assignment,) = Assignment.objects.filter(seat=seat)
        assert (assignment.learner, assignment.assigned_by) == (seat.learner, applicant)
        assert assignment.ended_at is None
    assert [i.unit_fee for i in items] == [30_000, 25_000, 30_000]
    suzuki = learners[0]
    assert Enrollment.objects.filter(learner=suzuki).count() == 2
    # The seats count against the sessions' capacity (R-APPLY-3).
    assert seats_taken([catalogue["november"].pk])[catalogue["november"].pk] == 3
    legacy = LegacyMember.objects.get()
    assert legacy.mapped_user_type == User.UserType.GROUP_APPLICANT
    assert {r["code"] for r in legacy.review_reasons} == {
        "handled_individually",
        "became_group_applicant",
    }
    (entry,) = AuditEntry.objects.filter(action="migration.group_applicant_made")
    assert entry.target == applicant and entry.data["seats"] == 3
    assert entry.target_repr == applicant.full_name


def test_R_MIGRATE_2_a_participant_who_is_already_a_group_learner_there_is_found_by_email(
    catalogue,
):
    organisation = OrganisationFactory(name="株式会社サンプル")
    known = UserFactory(
        group_learner=True, organisation=organisation, email="Suzuki@example.jp", username="s1"
    )
    run(
        [corporate(1, company="株式会社　サンプル")],
        [booking(1, participant_name="鈴木 一郎", participant_email="suzuki@example.jp")],
    )
    assert Seat.objects.get().learner == known
    assert User.objects.filter(user_type=User.UserType.GROUP_LEARNER).count() == 1


def test_R_MIGRATE_2_a_learner_gets_another_user_id_when_its_email_is_taken_as_one(catalogue):
    UserFactory(username="suzuki@example.jp", email="other@example.jp")
    run(
        [corporate(1)],
        [booking(1, participant_name="鈴木", participant_email="suzuki@example.jp")],
    )
    assert Seat.objects.get().learner.username == "suzuki@example.jp-2"


def test_R_MIGRATE_2_an_individual_booking_for_others_becomes_a_group_applicant_of_its_company(
    catalogue,
):
    run(
        [member(1, company_name="個人事務所ヤマダ")],
        [booking(1, participant_name="妻", participant_email="tsuma@example.jp")],
    )
    user = User.objects.get(username="member1")
    assert user.user_type == User.UserType.GROUP_APPLICANT
    assert user.organisation.name == "個人事務所ヤマダ"


def test_R_MIGRATE_2_cancelled_bookings_and_those_before_the_cutoff_are_not_imported(
    catalogue,
):
    result = run(
        [member(1), member(2)],
        [
            booking(1, status="キャンセル"),
            booking(2, session_start="2023/10/20 10:00"),
            booking(3, member_id="M0002", session_start="2023-10-31 10:00", course_code="NOPE"),
        ],
    )

    assert Enrollment.objects.count() == 0
    assert (result.bookings.skipped, result.bookings.rejected) == (3, 0)
    assert problems_of(result, "skipped") == [
        ("bookings", 2, "cancelled"),
        ("bookings", 3, "before_cutoff"),
        ("bookings", 4, "before_cutoff"),
    ]
    assert not LegacyMember.objects.filter(handled_individually=True).exists()
    assert set(LegacyBooking.objects.values_list("outcome", flat=True)) == {
        LegacyBooking.Outcome.CANCELLED,
        LegacyBooking.Outcome.BEFORE_CUTOFF,
    }
    assert result.handled_individually == []


def test_R_MIGRATE_2_the_cutoff_is_a_date_in_tokyo_and_can_be_moved(catalogue):
    result = run([member(1)], [booking(1)], cutoff=dt.date(2023, 11, 16))
    assert result.bookings.skipped == 1
    result = run([member(2)], [booking(2, member_id="M0002")], cutoff=dt.date(2023, 11, 15))
    assert result.bookings.created == 1


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"course_code": "ILC9999"}, "unknown_course"),
        ({"session_start": "2023-11-15 11:00"}, "unknown_session"),
        ({"course_code": "EL300"}, "elearning_course"),
        ({"fee": ""}, "required"),
    ],
)
def test_R_MIGRATE_2_a_booking_without_its_course_or_session_is_rejected_with_its_row(
    catalogue, fields, code
):
    result = run([member(1), member(2)], [booking(1, member_id="M0002"), booking(2, **fields)])

    assert problems_of(result) == [
        ("bookings", 3, code),
        ("members", 2, "member_bookings_rejected"),
    ]
    assert list(User.objects.values_list("username", flat=True)) == ["member2"]


def test_R_MIGRATE_2_a_booking_for_a_cancelled_session_is_kept_for_review(catalogue):
    session = catalogue["november"]
    session.state = session.State.CANCELLED
    session.save()

    result = run([member(1)], [booking(1)])

    assert result.bookings.skipped == 1 and Enrollment.objects.count() == 0
    legacy = LegacyMember.objects.get()
    assert legacy.handled_individually and legacy.needs_review
    assert "session_cancelled" in {r["code"] for r in legacy.review_reasons}


def test_R_MIGRATE_2_legacy_bookings_are_facts_even_over_capacity_and_the_session_is_listed(
    catalogue,
):
    session = catalogue["november"]
    session.capacity = 2
    session.save()

    result = run([member(n) for n in (1, 2, 3)], [booking(n, f"M000{n}") for n in (1, 2, 3)])

    assert result.bookings.created == 3
    assert seats_taken([session.pk])[session.pk] == 3
    (line,) = result.over_capacity
    assert line.params == {"session": "ILC1001 2023-11-15 10:00", "taken": 3, "capacity": 2}
    assert all(
        "over_capacity" in {r["code"] for r in m.review_reasons} for m in LegacyMember.objects.all()
    )


def test_R_MIGRATE_2_one_learner_holds_one_place_per_session_the_later_member_is_rejected(
    catalogue,
):
    result = run(
        [corporate(1), corporate(2)],
        [
            booking(1, "M0001", participant_name="鈴木", participant_email="suzuki@example.jp"),
            booking(2, "M0002", participant_name="鈴木", participant_email="suzuki@example.jp"),
        ],
    )
    assert problems_of(result) == [
        ("bookings", 3, "already_booked"),
        ("members", 3, "member_bookings_rejected"),
    ]
    assert Seat.objects.count() == 1


def test_R_MIGRATE_2_every_member_handled_individually_is_listed_for_review(catalogue):
    result = run(
        [member(1), corporate(2), member(3)],
        [
            booking(1, "M0001"),
            booking(2, "M0002", participant_name="鈴木", participant_email="s@example.jp"),
            booking(3, "M0003", status="キャンセル"),
        ],
    )
    listed = LegacyMember.objects.filter(needs_review=True)
    assert set(listed.values_list("legacy_member_id", flat=True)) == {"M0001", "M0002"}
    assert {p.legacy_id for p in result.to_review} == {"M0001", "M0002"}


def test_R_MIGRATE_2_an_individual_without_a_company_booking_for_others_is_rejected(catalogue):
    result = run([member(1)], [booking(1, participant_name="妻", participant_email="t@ex.jp")])
    assert problems_of(result) == [
        ("bookings", 2, "organisation_required"),
        ("members", 2, "member_bookings_rejected"),
    ]


def test_R_MIGRATE_2_a_later_bookings_file_may_refer_to_members_imported_before(catalogue):
    run([corporate(1, login_id="jinji")])

    result = run([], [booking(1), booking(2, participant_name="鈴木", participant_email="s@ex.jp")])

    assert result.bookings.created == 2 and result.members.read == 0
    jinji = User.objects.get(username="jinji")
    assert jinji.user_type == User.UserType.GROUP_APPLICANT
    entry = AuditEntry.objects.get(action="user.type_changed", target_id=str(jinji.pk))
    assert (entry.data["from"], entry.data["to"]) == ("corporate", "group_applicant")
    assert LegacyMember.objects.get().handled_individually


def test_R_MIGRATE_2_an_account_staff_made_a_learner_does_not_become_an_applicant_silently(
    catalogue,
):
    run([corporate(1, login_id="jinji")])
    User.objects.filter(username="jinji").update(user_type=User.UserType.GROUP_LEARNER)

    result = run(
        [corporate(1, login_id="jinji")],
        [booking(1, participant_name="鈴木", participant_email="s@ex.jp")],
    )

    assert ("bookings", 2, "cannot_become_group_applicant") in problems_of(result)
    assert User.objects.get(username="jinji").user_type == User.UserType.GROUP_LEARNER
    assert not Enrollment.objects.exists()
