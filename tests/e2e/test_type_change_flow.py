"""R-TYPE-4 in a real browser: a corporate user asks to become a group applicant,
reception approves, and the user's My Account shows the new type."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from kenshu.accounts import roles
from kenshu.core.testing import DEFAULT_PASSWORD, UserFactory, make_staff, verified
from kenshu.requests.models import TypeChangeRequest

pytestmark = pytest.mark.e2e


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("banner").get_by_role("button", name="ログアウト")).to_be_visible()


def log_out(page):
    page.get_by_role("banner").get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("banner").get_by_role("link", name="ログイン")).to_be_visible()


def test_corporate_user_asks_for_the_type_change_staff_approve_and_my_account_shows_it(
    live_server, page
):
    customer = verified(
        UserFactory(corporate=True, username="hojin-e2e", email="hojin-e2e@example.jp")
    )
    verified(make_staff(roles.RECEPTION, username="uketsuke"))

    # The customer asks (R-TYPE-4): the form is prefilled from the account.
    log_in(page, live_server.url, "hojin-e2e")
    page.goto(live_server.url + "/requests/type-change/")
    expect(page.locator("input[name=company_name]")).to_have_value(customer.organisation.name)
    page.locator("textarea[name=message]").fill("研修担当として同僚の申込みをまとめたいです。")
    page.get_by_role("button", name="依頼を送信する").click()
    expect(page).to_have_url(live_server.url + "/account/requests/")
    request = TypeChangeRequest.objects.get(user=customer)
    assert request.state == "open"
    log_out(page)

    # Reception approves it in the staff queue.
    log_in(page, live_server.url, "uketsuke")
    page.goto(live_server.url + "/staff/requests/type-change/")
    page.get_by_role("link", name=f"確認する 受付番号 {request.pk} の依頼").click()
    page.locator("input[name=decision][value=approve]").check()
    page.get_by_role("button", name="判定を確定する").click()
    expect(page).to_have_url(live_server.url + "/staff/requests/type-change/")
    request.refresh_from_db()
    assert request.state == "done"
    log_out(page)

    # The customer's My Account now shows the new type, and the decision was emailed.
    log_in(page, live_server.url, "hojin-e2e")
    page.goto(live_server.url + "/account/")
    expect(page.get_by_text("法人グループ申込者").last).to_be_visible()
    to_customer = [m for m in mail.outbox if m.to == ["hojin-e2e@example.jp"]]
    subjects = " ".join(m.subject for m in to_customer)
    assert "承認" in subjects, subjects
