"""/purchase/session/<id>/, /purchase/course/<code>/ and /purchase/done/<id>/ (R-APPLY-2,
R-TYPE-2, DOMAIN.md §14): the quantity form, the confirmation (unit fee, quantity, tax,
total, payment, dated tiers), the purchase (POST, PRG), the refusals."""

import re

import pytest

from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.enrollments.services import enrollment_apply
from kenshu.inventory.models import InventoryItem

pytestmark = pytest.mark.django_db


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def url(session):
    return f"/purchase/session/{session.pk}/"


def test_the_urls_are_the_public_ones_of_domain_14():
    from django.urls import reverse

    assert reverse("inventory:purchase_session", args=[7]) == "/purchase/session/7/"
    assert reverse("inventory:purchase_course", args=["EL1"]) == "/purchase/course/EL1/"
    assert reverse("inventory:my_inventory") == "/account/inventory/"
    assert reverse("inventory:my_group") == "/account/group/"


def test_a_visitor_is_sent_to_log_in(client, session):
    response = client.get(url(session))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_form_asks_for_the_number_of_seats_and_shows_the_seats_left(client, applicant, session):
    client.force_login(applicant)
    html = text(client.get(url(session)))
    assert "席数" in html
    assert 'name="quantity"' in html
    assert "残席：10席" in html
    assert "ご自身が受講する場合" in html


def test_the_confirmation_shows_unit_fee_quantity_tax_total_payment_and_dated_tiers(
    client, applicant, session
):
    client.force_login(applicant)
    response = client.get(url(session), {"quantity": 3})
    html = text(response)
    assert response.context["confirming"] is True
    assert "購入内容の確認" in html
    assert "50,000円" in html  # per seat
    assert "150,000円" in html and "15,000円" in html and "165,000円" in html
    assert "請求書払い" in html
    assert "受講料の50%" in html and "無料" in html
    assert 'type="hidden" name="quantity" value="3"' in html
    assert "この内容で3席を購入する" in html
    assert InventoryItem.objects.count() == 0  # showing it saves nothing


def test_buying_redirects_to_the_done_page_with_the_purchase_and_the_invoice(
    client, applicant, session
):
    client.force_login(applicant)
    response = client.post(url(session), {"quantity": 3})
    item = InventoryItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/purchase/done/{item.pk}/"
    html = text(client.get(response["Location"]))
    invoice = item.order.invoices.get()
    assert item.number in html and item.order.number in html
    assert f"/account/invoices/{invoice.number}/pdf/" in html
    assert "165,000円" in html
    assert f"/account/inventory/{item.pk}/" in html


def test_the_done_page_is_the_buyers_only(client, applicant, session):
    client.force_login(applicant)
    client.post(url(session), {"quantity": 1})
    item = InventoryItem.objects.get()
    client.force_login(UserFactory(group_applicant=True))
    assert client.get(f"/purchase/done/{item.pk}/").status_code == 404


def test_a_quantity_above_the_seats_left_says_how_many_are_left(client, applicant, session):
    for _ in range(8):
        enrollment_apply(actor=UserFactory(), session=session)
    client.force_login(applicant)
    response = client.get(url(session), {"quantity": 5})
    assert response.context["confirming"] is False
    assert "残りは2席" in text(response)
    response = client.post(url(session), {"quantity": 5}, follow=True)
    assert "残りは2席" in text(response)
    assert InventoryItem.objects.count() == 0


def test_a_quantity_below_one_is_refused(client, applicant, session):
    client.force_login(applicant)
    assert "1席以上" in text(client.get(url(session), {"quantity": 0}))
    response = client.post(url(session), {"quantity": 0}, follow=True)
    assert InventoryItem.objects.count() == 0
    assert response.status_code == 200


def test_an_elearning_course_is_bought_by_its_code(client, applicant, elearning):
    client.force_login(applicant)
    html = text(client.get(f"/purchase/course/{elearning.code}/", {"quantity": 2}))
    assert "割り当てた日の7日後" in html and "44,000円" in html
    response = client.post(f"/purchase/course/{elearning.code}/", {"quantity": 2})
    assert response.status_code == 302
    assert InventoryItem.objects.get().session is None


def test_a_classroom_course_code_leads_to_its_course_page(client, applicant, session):
    client.force_login(applicant)
    response = client.get(f"/purchase/course/{session.course.code}/")
    assert response["Location"] == f"/courses/{session.course.code}/"


@pytest.mark.parametrize(
    "user_type",
    [User.UserType.INDIVIDUAL, User.UserType.CORPORATE],
)
def test_customers_who_may_not_buy_are_told_why(client, session, user_type):
    client.force_login(UserFactory(user_type=user_type))
    response = client.get(url(session), {"quantity": 2})
    assert response.context["confirming"] is False
    assert "purchase-refusal" in text(response)
    assert 'name="quantity"' not in text(response)


def test_r_type_2_a_group_learner_is_told_whom_to_ask(client, session, applicant, colleague):
    client.force_login(colleague)
    html = text(client.get(url(session)))
    assert "鈴木 人事" in html and "株式会社サンプル" in html


@pytest.mark.parametrize(
    "user_type",
    [
        User.UserType.INDIVIDUAL,
        User.UserType.CORPORATE,
        User.UserType.GROUP_LEARNER,
        User.UserType.PARTNER_LEARNER,
    ],
)
def test_a_forged_purchase_post_is_refused_with_403_and_audited(client, session, user_type):
    user = UserFactory(user_type=user_type)
    client.force_login(user)
    assert client.post(url(session), {"quantity": 1}).status_code == 403
    assert InventoryItem.objects.count() == 0
    assert AuditEntry.objects.filter(action="inventory.purchase_refused", actor=user).count() == 1


def test_a_full_session_offers_no_purchase(client, applicant):
    session = SessionFactory(capacity=1)
    enrollment_apply(actor=UserFactory(), session=session)
    client.force_login(applicant)
    html = text(client.get(url(session)))
    assert "満席" in html and 'name="quantity"' not in html


def test_an_unpublished_course_has_no_purchase_page(client, applicant):
    session = SessionFactory(course__is_published=False)
    client.force_login(applicant)
    assert client.get(url(session)).status_code == 404
    assert (
        client.get(
            f"/purchase/course/{CourseFactory(elearning=True, is_published=False).code}/"
        ).status_code
        == 404
    )


def test_the_course_page_links_group_applicants_to_the_purchase_pages(client, applicant, session):
    client.force_login(applicant)
    html = text(client.get(f"/courses/{session.course.code}/"))
    assert f'href="/purchase/session/{session.pk}/"' in html
