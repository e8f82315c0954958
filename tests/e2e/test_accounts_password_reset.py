"""Password reissue in a real browser (R-ACCT-4): the link from the email sets a new
password once; the new password logs in; the link cannot be used again."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from kenshu.core.testing import UserFactory, verified

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path("/tmp")  # noqa: S108  (fixed names, for a person to look at)
RESET_SCREENSHOT = SCREENSHOTS / "kenshu-password-reset.png"
LINK_USED_SCREENSHOT = SCREENSHOTS / "kenshu-password-reset-link-used.png"
LOGIN_SCREENSHOT = SCREENSHOTS / "kenshu-login.png"
LOGIN_ERROR_SCREENSHOT = SCREENSHOTS / "kenshu-login-error.png"

NEW_PASSWORD = "Momiji-Kaede-2026"
LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+")


def log_in(page, live_server, user_id, password):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("textbox", name="ユーザーID").fill(user_id)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="ログイン").click()


@pytest.fixture
def tanaka(db):
    return verified(UserFactory(username="tanaka01", email="tanaka@example.jp"))


def test_reissue_the_password_log_in_with_it_and_the_link_cannot_be_reused(
    live_server, new_context, tanaka
):
    page = new_context().new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="パスワードをお忘れの場合").click()
    expect(page.get_by_role("heading", level=1, name="パスワード再発行")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=RESET_SCREENSHOT, full_page=True)
    page.get_by_role("textbox", name="メールアドレス").fill("tanaka@example.jp")
    page.get_by_role("textbox", name="画像に表示されている文字").fill("PASSED")
    page.get_by_role("button", name="リンクを送信する").click()
    expect(page.get_by_role("heading", level=1, name="メールをご確認ください")).to_be_visible()

    (message,) = mail.outbox
    assert message.to == ["tanaka@example.jp"]
    assert "パスワード再発行" in message.subject
    link = re.sub(r"^https?://[^/]+", live_server.url, LINK.search(message.body).group(0))
    mail.outbox.clear()

    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="新しいパスワードの設定")).to_be_visible()
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="新しいパスワードを設定する").click()
    expect(page.get_by_role("heading", level=1, name="パスワード変更のお知らせ")).to_be_visible()

    # "Password changed" email.
    (changed,) = mail.outbox
    assert changed.to == ["tanaka@example.jp"]
    assert "パスワード変更のお知らせ" in changed.subject

    browser = new_context().new_page()
    log_in(browser, live_server, "tanaka01", NEW_PASSWORD)
    expect(browser.get_by_role("heading", level=1, name="マイアカウント")).to_be_visible()

    again = new_context().new_page()
    again.goto(link)
    expect(
        again.get_by_role("heading", level=1, name="このリンクはご利用いただけません")
    ).to_be_visible()
    expect(again.get_by_role("link", name="パスワード再発行をやり直す")).to_have_attribute(
        "href", "/accounts/password/reset/"
    )
    again.screenshot(path=LINK_USED_SCREENSHOT, full_page=True)


def test_the_login_page_has_the_help_links_and_says_what_was_wrong(live_server, page, tanaka):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("link", name="ユーザーIDが分からない場合")).to_have_attribute(
        "href", "/accounts/forgot-user-id/"
    )
    expect(page.get_by_role("link", name="パスワードをお忘れの場合")).to_have_attribute(
        "href", "/accounts/password/reset/"
    )
    expect(
        page.get_by_role("checkbox", name="このデバイスでログイン状態を保持する")
    ).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=LOGIN_SCREENSHOT, full_page=True)

    log_in(page, live_server, "tanaka01", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text(
        "ユーザーIDまたはパスワードが正しくありません。"
    )
    expect(page.get_by_role("textbox", name="ユーザーID")).to_have_value("tanaka01")
    expect(page.locator("#id_password")).to_have_value("")
    page.screenshot(path=LOGIN_ERROR_SCREENSHOT, full_page=True)
