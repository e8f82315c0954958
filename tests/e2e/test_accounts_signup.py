"""Registration in a real browser (R-ACCT-1, R-TYPE-1): sign up as an individual,
open the verification link from the email actually sent, log in, and see the
user type in words at the bottom of My Account."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from kenshu.accounts.models import User

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path("/tmp")  # noqa: S108  (fixed names, for a person to look at)
SIGNUP_SCREENSHOT = SCREENSHOTS / "kenshu-signup.png"
SIGNUP_ERRORS_SCREENSHOT = SCREENSHOTS / "kenshu-signup-errors.png"
SIGNUP_PHONE_SCREENSHOT = SCREENSHOTS / "kenshu-signup-mobile.png"
VERIFICATION_SENT_SCREENSHOT = SCREENSHOTS / "kenshu-verification-sent.png"
MY_ACCOUNT_SCREENSHOT = SCREENSHOTS / "kenshu-my-account.png"

PASSWORD = "Sakura-Hanabi-2025"
LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def box(page, name):
    """The text box of that label (its accessible name: the "Required" mark is hidden)."""
    return page.get_by_role("textbox", name=name, exact=True)


def fill_individual(page, email="hanako@example.jp", user_id="hanako"):
    box(page, "姓").fill("佐藤")
    box(page, "名").fill("花子")
    box(page, "姓（カナ）").fill("サトウ")
    box(page, "名（カナ）").fill("ハナコ")
    box(page, "メールアドレス").fill(email)
    box(page, "ユーザーID（任意）").fill(user_id)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)


def test_register_as_an_individual_verify_from_the_email_log_in_and_see_the_type(
    live_server, new_context
):
    page = new_context().new_page()
    page.goto(live_server.url + "/accounts/signup/")
    expect(page.get_by_role("heading", level=1, name="新規ユーザー登録")).to_be_visible()
    expect(page.get_by_role("radio", name="個人")).to_be_checked()
    # Individual chosen: the company fields are hidden (progressive enhancement).
    expect(box(page, "会社名")).to_be_hidden()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SIGNUP_SCREENSHOT, full_page=True)

    fill_individual(page)
    page.get_by_role("checkbox", name="利用規約に同意します").check()
    page.get_by_role("button", name="登録する").click()

    expect(page.get_by_role("heading", level=1, name="確認メールをお送りしました")).to_be_visible()
    page.screenshot(path=VERIFICATION_SENT_SCREENSHOT, full_page=True)
    user = User.objects.get(username="hanako")
    assert user.user_type == User.UserType.INDIVIDUAL

    # Logging in before the address is verified is refused, with the same page.
    login = new_context().new_page()
    login.goto(live_server.url + "/accounts/login/")
    box(login, "ユーザーID").fill("hanako")
    login.locator("#id_password").fill(PASSWORD)
    login.get_by_role("button", name="ログイン").click()
    expect(
        login.get_by_text("メールアドレスの確認が完了するまで、ログインすることはできません。")
    ).to_be_visible()

    # The verification email actually sent, opened "from the mail client".
    (verification,) = [m for m in mail.outbox if m.to == ["hanako@example.jp"]][:1]
    link = LINK.search(verification.body).group(0)
    link = re.sub(r"^https?://[^/]+", live_server.url, link)
    mail.outbox.clear()
    browser = new_context().new_page()
    browser.goto(link)
    expect(browser.get_by_text("ユーザーID hanako のアカウント")).to_be_visible()
    browser.get_by_role("button", name="確認する").click()
    expect(
        browser.get_by_text("メールアドレス（hanako@example.jp）の確認が完了しました")
    ).to_be_visible()

    # The welcome email with the user ID followed.
    (welcome,) = mail.outbox
    assert welcome.to == ["hanako@example.jp"]
    assert "ユーザーID: hanako" in welcome.body or "ユーザーID：hanako" in welcome.body
    assert "/accounts/login/" in welcome.body

    browser.goto(live_server.url + "/accounts/login/")
    box(browser, "ユーザーID").fill("hanako")
    browser.locator("#id_password").fill(PASSWORD)
    browser.get_by_role("button", name="ログイン").click()

    expect(browser.get_by_role("heading", level=1, name="マイアカウント")).to_be_visible()
    user_type = browser.locator("#user-type")
    expect(user_type).to_have_text("ユーザー種別：個人")
    # At the bottom: nothing of the page's main content comes after it.
    assert browser.evaluate(
        """() => {
            const type = document.getElementById("user-type").getBoundingClientRect();
            const sections = [...document.querySelectorAll("main section.card")];
            return sections.every(s => s.getBoundingClientRect().bottom <= type.top);
        }"""
    )
    browser.wait_for_load_state("networkidle")
    browser.screenshot(path=MY_ACCOUNT_SCREENSHOT, full_page=True)


def test_choosing_corporate_shows_the_company_fields_and_errors_keep_what_was_typed(
    live_server, page
):
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_role("radio", name="法人").check()
    expect(box(page, "会社名")).to_be_visible()
    fill_individual(page, email="not-an-address")
    box(page, "姓（カナ）").fill("Sato")
    page.get_by_role("button", name="登録する").click()

    summary = page.get_by_role("alert").filter(has_text="入力内容をご確認ください")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="姓（カナ）")).to_be_visible()
    expect(
        page.get_by_text("カナ（カタカナまたはひらがな）で入力してください。").first
    ).to_be_visible()
    expect(
        page.get_by_text("法人でご登録の場合は、会社名を入力してください。").first
    ).to_be_visible()
    # What was typed stays (never the passwords); corporate stays chosen.
    expect(box(page, "姓")).to_have_value("佐藤")
    expect(page.get_by_role("radio", name="法人")).to_be_checked()
    expect(page.locator("#id_password1")).to_have_value("")
    page.screenshot(path=SIGNUP_ERRORS_SCREENSHOT, full_page=True)
    assert not User.objects.exists()

    summary.get_by_role("link", name="姓（カナ）").click()
    expect(box(page, "姓（カナ）")).to_be_focused()


def test_the_signup_page_fits_a_390px_phone(live_server, phone_page):
    phone_page.goto(live_server.url + "/accounts/signup/")
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path=SIGNUP_PHONE_SCREENSHOT, full_page=True)


def test_the_terms_of_use_page_exists_and_is_linked_from_signup(live_server, page):
    page.goto(live_server.url + "/accounts/signup/")
    with page.context.expect_page() as new_tab:
        page.get_by_role("link", name="利用規約を確認する").click()
    terms = new_tab.value
    expect(terms.get_by_role("heading", level=1, name="利用規約")).to_be_visible()
    expect(terms.get_by_role("heading", name="第1条（適用）")).to_be_visible()
