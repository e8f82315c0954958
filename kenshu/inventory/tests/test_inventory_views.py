"""/account/inventory/ and /account/inventory/<id>/ (R-ACCT-5, R-APPLY-2, issue 5 §2–4):
the purchases with their counts, the seats with learner and enrolment state, the
assignment forms, the bulk upload (preview, confirm) and the template; pinned query
counts."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kenshu.accounts.models import User
from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import Seat
from kenshu.inventory.services import inventory_purchase, seat_assign

from .files import cp932_csv, xlsx

pytestmark = pytest.mark.django_db


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def detail(item):
    return f"/account/inventory/{item.pk}/"


def test_my_inventory_lists_each_purchase_with_bought_assigned_and_unassigned(
    client, applicant, colleague, item, elearning
):
    seat_assign(actor=applicant, seat=item.seats.first(), learner=colleague)
    inventory_purchase(actor=applicant, course=elearning, quantity=4)
    client.force_login(applicant)
    response = client.get("/account/inventory/")
    rows = list(response.context["page"].object_list)
    assert [(r.course.code, r.quantity, r.assigned_count, r.unassigned_count) for r in rows] == [
        ("EL100", 4, 0, 4),
        ("ILC1234", 3, 1, 2),
    ]
    html = text(response)
    assert item.number in html and "ビジネス文書研修" in html
    assert f'href="/account/inventory/{item.pk}/"' in html


def test_another_applicants_purchases_are_not_shown(client, item):
    other = UserFactory(group_applicant=True)
    client.force_login(other)
    assert list(client.get("/account/inventory/").context["page"].object_list) == []
    assert client.get(detail(item)).status_code == 404


@pytest.mark.parametrize("user_type", [User.UserType.INDIVIDUAL, User.UserType.GROUP_LEARNER])
def test_users_who_do_not_buy_for_others_have_no_inventory_pages(client, user_type, item):
    client.force_login(UserFactory(user_type=user_type))
    assert client.get("/account/inventory/").status_code == 403
    assert client.get("/account/group/").status_code == 403


def test_the_purchase_page_shows_each_seat_with_its_learner_and_enrolment_state(
    client, applicant, colleague, item
):
    seat = item.seats.order_by("pk").first()
    seat_assign(actor=applicant, seat=seat, learner=colleague)
    client.force_login(applicant)
    html = text(client.get(detail(item)))
    assert "購入3席：割当て済み1席、未割当て2席" in html
    assert "高橋 学" in html and "group-learner" in html
    assert "申込済" in html  # the enrolment state in words
    # requests instead of cancelling (R-TYPE, R-CANCEL-1)
    assert f'href="/requests/learner-change/?seat={seat.pk}"' in html
    assert f'href="/requests/cancellation/?seat={seat.pk}"' in html
    assert f'href="/requests/cancellation/?item={item.pk}"' in html
    assert "/unassign/" not in html and "/cancel/" not in html


def test_my_account_links_to_inventory_and_group_for_group_applicants_only(
    client, applicant, colleague
):
    client.force_login(applicant)
    html = text(client.get("/account/"))
    assert 'href="/account/inventory/"' in html and 'href="/account/group/"' in html
    client.force_login(colleague)
    html = text(client.get("/account/"))
    assert 'href="/account/inventory/"' not in html


def test_assigning_an_existing_learner_from_the_list(client, applicant, colleague, item):
    client.force_login(applicant)
    page = client.get(detail(item))
    assert colleague.pk in [c[0] for c in page.context["choice_form"].fields["learner"].choices]
    response = client.post(f"{detail(item)}assign/", {"learner": colleague.pk}, follow=True)
    assert response.redirect_chain[-1][0] == detail(item)
    assert "高橋 学 様に席を割り当てました" in text(response)
    assert Enrollment.objects.get().learner == colleague


def test_assigning_the_same_learner_twice_says_so_and_saves_nothing(
    client, applicant, colleague, item
):
    client.force_login(applicant)
    client.post(f"{detail(item)}assign/", {"learner": colleague.pk})
    response = client.post(f"{detail(item)}assign/", {"learner": colleague.pk}, follow=True)
    assert "すでにこの日程（またはコース）の席を持っています" in text(response)
    assert Enrollment.objects.count() == 1
    assert item.seats.filter(state=Seat.State.ASSIGNED).count() == 1
    # a learner who holds a seat is no longer offered in the list
    choices = [c[0] for c in response.context["choice_form"].fields["learner"].choices]
    assert colleague.pk not in choices


def test_a_learner_of_another_organisation_cannot_be_posted(client, applicant, item):
    stranger = UserFactory(group_learner=True)
    client.force_login(applicant)
    response = client.post(f"{detail(item)}assign/", {"learner": stranger.pk})
    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_assigning_a_new_colleague_creates_the_account_and_invites_it(client, applicant, item):
    client.force_login(applicant)
    response = client.post(
        f"{detail(item)}assign-colleague/",
        {
            "last_name": "山本",
            "first_name": "さくら",
            "last_name_kana": "やまもと",
            "first_name_kana": "さくら",
            "email": "sakura@sample.example.jp",
        },
        follow=True,
    )
    assert "ユーザーID sakura@sample.example.jp" in text(response)
    learner = User.objects.get(email="sakura@sample.example.jp")
    assert learner.user_type == User.UserType.GROUP_LEARNER
    assert Enrollment.objects.get().learner == learner


def test_an_email_of_another_organisation_is_refused_with_a_clear_message(client, applicant, item):
    UserFactory(corporate=True, email="taro@other.example.jp")
    client.force_login(applicant)
    response = client.post(
        f"{detail(item)}assign-colleague/",
        {
            "last_name": "他社",
            "first_name": "太郎",
            "last_name_kana": "タシャ",
            "first_name_kana": "タロウ",
            "email": "taro@other.example.jp",
        },
    )
    assert response.status_code == 400
    assert "他の会社のユーザーのもの" in text(response)
    assert not User.objects.filter(last_name="他社", user_type="group_learner").exists()
    assert not Enrollment.objects.exists()


def upload(client, item, content, name):
    return client.post(
        f"{detail(item)}bulk/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def test_bulk_upload_shows_a_preview_then_confirming_assigns_every_row(
    client, applicant, colleague, item
):
    client.force_login(applicant)
    rows = [
        ("高橋 学", "タカハシ マナブ", "takahashi@sample.example.jp", ""),
        ("山本 さくら", "ヤマモト サクラ", "sakura@sample.example.jp", ""),
    ]
    response = upload(client, item, cp932_csv(rows), "learners.csv")
    html = text(response)
    assert "受講者一覧の確認" in html
    assert "既存の受講者" in html and "新しい受講者（招待）" in html
    assert "まだ何も保存していません" in html
    assert not Enrollment.objects.exists()
    token = response.context["form"].initial["token"]

    response = client.post(f"{detail(item)}bulk/confirm/", {"token": token}, follow=True)
    assert "2席を割り当てました" in text(response)
    assert Enrollment.objects.count() == 2


def test_a_bulk_file_with_an_error_row_offers_no_confirmation(client, applicant, item):
    client.force_login(applicant)
    rows = [
        ("山本 さくら", "ヤマモト サクラ", "sakura@sample.example.jp", ""),
        ("=cmd|' /C calc'!A0", "カナ", "x@sample.example.jp", ""),
    ]
    response = upload(client, item, xlsx(rows), "learners.xlsx")
    html = text(response)
    assert "数式" in html and "1行にエラーがあります" in html
    assert response.context["form"] is None
    assert not Enrollment.objects.exists() and not User.objects.filter(last_name="山本").exists()


def test_a_tampered_confirmation_token_is_refused(client, applicant, item):
    client.force_login(applicant)
    response = client.post(f"{detail(item)}bulk/confirm/", {"token": "forged"}, follow=True)
    assert "もう一度ファイルをアップロード" in text(response)
    assert not Enrollment.objects.exists()


def test_a_file_in_an_unknown_encoding_or_without_columns_gets_a_clear_message(
    client, applicant, item
):
    client.force_login(applicant)
    response = upload(client, item, "氏名,フリガナ,メールアドレス\r\n".encode("utf-16"), "a.csv")
    assert response.status_code == 400 and "文字コード" in text(response)
    response = upload(client, item, "名前,メール\r\n山本,a@b.jp\r\n".encode(), "a.csv")
    assert "フリガナ" in text(response)
    rows = [(f"受講者 {i}", "カナ", f"u{i}@sample.example.jp", "") for i in range(10_000)]
    response = upload(client, item, cp932_csv(rows), "big.csv")
    assert "3名まで" in text(response)
    assert not Enrollment.objects.exists()


def test_the_template_csv_can_be_downloaded(client, applicant):
    client.force_login(applicant)
    response = client.get("/account/inventory/learners-template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith(
        "氏名,フリガナ,メールアドレス,ユーザーID"
    )


def test_the_seat_export_escapes_formula_like_cells(client, applicant, item):
    learner = UserFactory(
        group_learner=True,
        organisation=applicant.organisation,
        last_name="=HYPERLINK(1)",
        first_name="",
    )
    seat_assign(actor=applicant, seat=item.seats.first(), learner=learner)
    client.force_login(applicant)
    body = client.get(f"{detail(item)}seats.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body and ",=HYPERLINK" not in body


@pytest.mark.parametrize("purchases", [2, 12])
def test_my_inventory_costs_the_same_number_of_queries_for_few_and_many_purchases(
    client, applicant, django_assert_num_queries, purchases
):
    for _ in range(purchases):
        inventory_purchase(actor=applicant, session=SessionFactory(), quantity=2)
    client.force_login(applicant)
    # session, user, count, page
    with django_assert_num_queries(4):
        response = client.get("/account/inventory/")
    assert len(response.context["page"].object_list) == purchases


@pytest.mark.parametrize("seats", [3, 40])
def test_the_purchase_page_costs_the_same_number_of_queries_for_few_and_many_seats(
    client, applicant, django_assert_num_queries, seats
):
    item = inventory_purchase(actor=applicant, session=SessionFactory(capacity=50), quantity=seats)
    for seat in item.seats.order_by("pk")[: seats - 1]:
        learner = UserFactory(group_learner=True, organisation=applicant.organisation)
        seat_assign(actor=applicant, seat=seat, learner=learner)
    client.force_login(applicant)
    # session, user, purchase with counts, its invoices, seat count, seats, learners
    with django_assert_num_queries(7):
        response = client.get(detail(item))
    assert len(response.context["page"].object_list) == seats
