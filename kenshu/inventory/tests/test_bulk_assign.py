"""Bulk assignment (issue 5 §4): the preview says row by row what would happen and saves
nothing; confirming assigns every row in one transaction, or, when one row is wrong,
none."""

import pytest

from kenshu.accounts.models import User
from kenshu.core.testing import UserFactory
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.bulkfile import read_learner_file
from kenshu.inventory.exceptions import BulkFileError, BulkRowsInvalid
from kenshu.inventory.models import Seat
from kenshu.inventory.services import (
    bulk_preview,
    inventory_purchase,
    seat_assign,
    seats_assign_bulk,
)
from kenshu.inventory.services.bulk import RowPreview
from kenshu.notifications.models import OutboxEmail

from .files import cp932_csv, utf8_bom_csv, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(applicant, session):
    return inventory_purchase(actor=applicant, session=session, quantity=5)


def rows_of(content, item, name="learners.csv"):
    return read_learner_file(content=content, filename=name, max_rows=item.unassigned_count)


def unassigned(item):
    return item.seats.filter(state=Seat.State.UNASSIGNED).count()


def state():
    return (
        User.objects.count(),
        Enrollment.objects.count(),
        Seat.objects.filter(state=Seat.State.ASSIGNED).count(),
        OutboxEmail.objects.count(),
    )


def with_counts(item):
    from kenshu.inventory.selectors import item_of

    return item_of(user=item.applicant, pk=item.pk)


LEARNERS = [
    ("高橋 学", "タカハシ マナブ", "takahashi@sample.example.jp", ""),  # the existing colleague
    ("山本 さくら", "ヤマモト サクラ", "sakura@sample.example.jp", ""),
    ("髙木　﨑子", "タカギ サキコ", "saki@sample.example.jp", "takagi-s"),
]


@pytest.mark.parametrize(
    ("make", "name"),
    [(cp932_csv, "a.csv"), (utf8_bom_csv, "a.csv"), (xlsx, "a.xlsx")],
    ids=["CP932 CSV", "UTF-8 BOM CSV", "XLSX"],
)
def test_a_file_with_japanese_names_assigns_existing_and_new_learners(
    applicant, colleague, item, make, name
):
    item = with_counts(item)
    rows = rows_of(make(LEARNERS), item, name)

    previews = bulk_preview(actor=applicant, item=item, rows=rows)
    assert [p.status for p in previews] == ["existing", "new", "new"]
    assert previews[0].learner == colleague
    assert [p.user_id for p in previews] == [
        "group-learner",
        "sakura@sample.example.jp",
        "takagi-s",
    ]

    enrollments = seats_assign_bulk(actor=applicant, item=item, rows=rows)

    assert [e.learner.full_name for e in enrollments] == ["高橋 学", "山本 さくら", "髙木 﨑子"]
    takagi = User.objects.get(username="takagi-s")
    assert (takagi.last_name, takagi.first_name) == ("髙木", "﨑子")
    assert (takagi.last_name_kana, takagi.first_name_kana) == ("タカギ", "サキコ")
    assert takagi.organisation == applicant.organisation and not takagi.has_usable_password()
    assert unassigned(item) == 2
    assert OutboxEmail.objects.filter(template="learner_invitation").count() == 2
    assert OutboxEmail.objects.filter(template="seat_assigned").count() == 6  # 3 + 3 copies


def test_the_preview_saves_nothing(applicant, colleague, item):
    before = state()
    item = with_counts(item)
    bulk_preview(actor=applicant, item=item, rows=rows_of(cp932_csv(LEARNERS), item))
    assert state() == before


def test_a_file_with_one_bad_row_applies_nothing(applicant, colleague, item):
    UserFactory(corporate=True, email="taro@other.example.jp")
    bad = [*LEARNERS, ("他社 太郎", "タシャ タロウ", "taro@other.example.jp", "")]
    rows = rows_of(cp932_csv(bad), with_counts(item))
    previews = bulk_preview(actor=applicant, item=item, rows=rows)
    assert [p.status for p in previews] == ["existing", "new", "new", "error"]
    assert "他の会社" in previews[3].error
    before = state()

    with pytest.raises(BulkRowsInvalid) as error:
        seats_assign_bulk(actor=applicant, item=item, rows=rows)

    assert "1行" in str(error.value)
    assert state() == before
    assert not User.objects.filter(email="sakura@sample.example.jp").exists()


def test_a_formula_cell_is_an_error_row_and_nothing_is_applied(applicant, item):
    rows = rows_of(
        utf8_bom_csv([LEARNERS[1], ("=cmd|' /C calc'!A0", "カナ", "x@sample.example.jp", "")]),
        with_counts(item),
    )
    before = state()
    with pytest.raises(BulkRowsInvalid) as error:
        seats_assign_bulk(actor=applicant, item=item, rows=rows)
    assert [p.status for p in error.value.previews] == ["new", "error"]
    assert state() == before


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("", "カナ", "a@sample.example.jp", ""), "氏名がありません"),
        (("山田 花子", "yamada", "a@sample.example.jp", ""), "フリガナ"),
        (("山田 花子", "ヤマダ", "not-an-email", ""), "正しくありません"),
        (("山田 花子", "ヤマダ", "", ""), "メールアドレスがありません"),
    ],
)
def test_each_bad_row_says_why(applicant, item, row, reason):
    rows = rows_of(cp932_csv([row]), with_counts(item))
    (preview,) = bulk_preview(actor=applicant, item=item, rows=rows)
    assert preview.status == RowPreview.ERROR and reason in preview.error


def test_the_same_learner_twice_in_a_file_is_an_error(applicant, colleague, item):
    rows = rows_of(cp932_csv([LEARNERS[0], LEARNERS[0]]), with_counts(item))
    previews = bulk_preview(actor=applicant, item=item, rows=rows)
    assert [p.status for p in previews] == ["existing", "error"]
    assert "2行目" in previews[1].error


def test_a_learner_who_already_holds_a_seat_is_an_error(applicant, colleague, item):
    seat_assign(actor=applicant, seat=item.seats.first(), learner=colleague)
    rows = rows_of(cp932_csv([LEARNERS[0]]), with_counts(item))
    (preview,) = bulk_preview(actor=applicant, item=item, rows=rows)
    assert preview.status == "error" and "すでに" in preview.error


def test_a_file_with_more_rows_than_unassigned_seats_is_refused(applicant, item):
    rows = [(f"受講者 {i}", "ジュコウシャ", f"u{i}@sample.example.jp", "") for i in range(6)]
    with pytest.raises(BulkFileError, match="5名まで"):
        rows_of(cp932_csv(rows), with_counts(item))


def test_seats_taken_meanwhile_make_the_confirmation_refuse_the_file(applicant, colleague, item):
    rows = rows_of(cp932_csv(LEARNERS), with_counts(item))
    for seat in item.seats.order_by("pk")[:3]:
        seat_assign(
            actor=applicant,
            seat=seat,
            learner=UserFactory(group_learner=True, organisation=applicant.organisation),
        )
    with pytest.raises(BulkFileError, match="2席"):
        seats_assign_bulk(actor=applicant, item=item, rows=rows)
