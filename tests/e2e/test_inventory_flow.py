"""Buying for others in a real browser (R-APPLY-2, issue 5): a group applicant buys 3
seats of a session from its course page, confirms (unit fee, quantity, tax, total,
tiers), assigns one seat to an existing learner of its group and one to a new colleague;
the colleague sets a password from the invitation email and sees the course in My
Account."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from kenshu.core.testing import (
    DEFAULT_PASSWORD,
    OrganisationFactory,
    SessionFactory,
    UserFactory,
    verified,
)
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import InventoryItem, Seat

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path("/tmp")  # noqa: S108  (fixed names, for a person to look at)
CONFIRM_SCREENSHOT = SCREENSHOTS / "kenshu-purchase-confirm.png"
DETAIL_SCREENSHOT = SCREENSHOTS / "kenshu-inventory-detail.png"
GROUP_SCREENSHOT = SCREENSHOTS / "kenshu-inventory-group.png"
INVITATION_SCREENSHOT = SCREENSHOTS / "kenshu-invitation.png"
LINK = re.compile(r"https?://\S+/account/invitation/[0-9a-z]+/[0-9a-z-]+/")
NEW_PASSWORD = "Sakura-Momiji-2026"


def log_in(page, base_url, username, password=DEFAULT_PASSWORD):
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("banner").get_by_role("button", name="ログアウト")).to_be_visible()


@pytest.fixture
def session(db):
    return SessionFactory(
        course__code="ILC1234",
        course__title="ビジネス文書研修",
        course__fee=50_000,
        starts_on=tokyo_date() + dt.timedelta(days=40),
        capacity=12,
    )


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="株式会社サンプル")


def test_a_group_applicant_buys_three_seats_assigns_two_and_the_new_colleague_joins(
    live_server, new_context, session, organisation
):
    verified(
        UserFactory(
            group_applicant=True,
            organisation=organisation,
            username="group-admin",
            email="jinji@sample.example.jp",
            last_name="鈴木",
            first_name="人事",
        )
    )
    colleague = verified(
        UserFactory(
            group_learner=True,
            organisation=organisation,
            username="group-learner",
            last_name="高橋",
            first_name="学",
            last_name_kana="タカハシ",
            first_name_kana="マナブ",
        )
    )
    page = new_context().new_page()
    log_in(page, live_server.url, "group-admin")

    # From the course page to the purchase page of the session.
    page.goto(live_server.url + "/courses/ILC1234/")
    page.locator(f'a[href="/purchase/session/{session.pk}/"]').first.click()
    expect(page).to_have_url(live_server.url + f"/purchase/session/{session.pk}/")
    page.get_by_role("spinbutton", name="席数").fill("3")
    page.get_by_role("button", name="確認画面へ進む").click()

    # The confirmation: fee per seat, quantity, tax, total, payment, tiers.
    expect(page.get_by_role("heading", level=1, name="購入内容の確認")).to_be_visible()
    expect(page.locator(".purchase-quantity")).to_contain_text("50,000円")
    expect(page.locator(".quantity-value")).to_have_text("3")
    expect(page.locator(".price-list")).to_contain_text("165,000円")
    expect(page.locator(".cancellation-tiers")).to_contain_text("受講料の50%")
    page.screenshot(path=CONFIRM_SCREENSHOT, full_page=True)
    page.get_by_role("button", name="この内容で3席を購入する").click()

    # Done: purchase number and invoice; the purchase email with the invoice link.
    item = InventoryItem.objects.get()
    expect(page.locator(".purchase-number")).to_have_text(item.number)
    invoice = item.order.invoices.get()
    expect(page.locator(".invoice-pdf-link")).to_have_attribute(
        "href", f"/account/invoices/{invoice.number}/pdf/"
    )
    (purchased,) = [m for m in mail.outbox if item.number in m.subject]
    assert purchased.to == ["jinji@sample.example.jp"]
    assert f"/account/invoices/{invoice.number}/pdf/" in purchased.body
    page.get_by_role("link", name="今すぐ席を割り当てる").click()

    # Assign one seat to the existing learner …
    expect(page).to_have_url(live_server.url + f"/account/inventory/{item.pk}/")
    page.locator(".assign-existing select").select_option(str(colleague.pk))
    page.get_by_role("button", name="席を割り当てる", exact=True).click()
    expect(page.locator(".site-messages")).to_contain_text("高橋 学 様に席を割り当てました")

    # … and one to a new colleague, created and invited on the spot.
    form = page.locator(".assign-colleague")
    form.locator("#id_last_name").fill("山本")
    form.locator("#id_first_name").fill("さくら")
    form.locator("#id_last_name_kana").fill("ヤマモト")
    form.locator("#id_first_name_kana").fill("サクラ")
    form.locator("#id_email").fill("sakura@sample.example.jp")
    page.get_by_role("button", name="追加して席を割り当てる").click()
    expect(page.locator(".site-messages")).to_contain_text("山本 さくら 様")
    expect(page.locator(".seat-counts")).to_contain_text("割当て済み2席、未割当て1席")
    page.screenshot(path=DETAIL_SCREENSHOT, full_page=True)
    assert Seat.objects.filter(state="assigned").count() == 2

    # The learner and the applicant got "seat assigned" (copy to the applicant).
    assigned = [m for m in mail.outbox if "ILC1234" in m.subject and "受講のご案内" in m.subject]
    assert {tuple(m.to) for m in assigned} >= {
        ("sakura@sample.example.jp",),
        (colleague.email,),
    }
    copies = [m for m in mail.outbox if "写し" in m.subject]
    assert len(copies) == 2 and all(m.to == ["jinji@sample.example.jp"] for m in copies)

    # My group shows the colleague who has not set a password yet.
    page.goto(live_server.url + "/account/group/")
    expect(page.locator(".invitation-pending")).to_have_count(1)
    page.screenshot(path=GROUP_SCREENSHOT, full_page=True)

    # The colleague sets a password from the invitation email and sees the course.
    (invitation,) = [
        m for m in mail.outbox if m.to == ["sakura@sample.example.jp"] and "パスワード" in m.subject
    ]
    link = re.sub(r"^https?://[^/]+", live_server.url, LINK.search(invitation.body).group(0))
    sakura = new_context().new_page()
    sakura.goto(link)
    expect(sakura.get_by_role("heading", level=1, name="パスワードの設定")).to_be_visible()
    sakura.screenshot(path=INVITATION_SCREENSHOT, full_page=True)
    sakura.locator("#id_new_password1").fill(NEW_PASSWORD)
    sakura.locator("#id_new_password2").fill(NEW_PASSWORD)
    sakura.get_by_role("button", name="パスワードを設定してログイン").click()
    expect(sakura.get_by_role("heading", level=1, name="マイアカウント")).to_be_visible()
    sakura.goto(live_server.url + "/account/enrollments/")
    expect(sakura.get_by_text("ビジネス文書研修")).to_be_visible()
    assert Enrollment.objects.filter(learner__email="sakura@sample.example.jp").count() == 1

    # The link works once; the colleague logs in with its user ID from now on.
    again = new_context().new_page()
    again.goto(link)
    expect(
        again.get_by_role("heading", level=1, name="このリンクはご利用いただけません")
    ).to_be_visible()
    later = new_context().new_page()
    log_in(later, live_server.url, "sakura@sample.example.jp", NEW_PASSWORD)
