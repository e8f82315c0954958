"""Forgot user ID in a real browser (R-ACCT-3): a known and an unknown address get
the same pages; only the known one gets an email, listing every user ID of it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from kenshu.core.testing import UserFactory

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path("/tmp")  # noqa: S108  (fixed names, for a person to look at)
FORM_SCREENSHOT = SCREENSHOTS / "kenshu-forgot-user-id.png"
DONE_SCREENSHOT = SCREENSHOTS / "kenshu-forgot-user-id-done.png"
ERROR_SCREENSHOT = SCREENSHOTS / "kenshu-forgot-user-id-error.png"


def ask(new_context, live_server, email, captcha="PASSED", screenshot=None):
    """Go from the login page to "forgot user ID", send the form; return the page."""
    page = new_context().new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="ユーザーIDが分からない場合").click()
    expect(page.get_by_role("heading", level=1, name="ユーザーIDが分からない場合")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("画像認証"))).to_be_visible()
    if screenshot:
        page.wait_for_load_state("networkidle")
        page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("textbox", name="メールアドレス").fill(email)
    page.get_by_role("textbox", name="画像に表示されている文字").fill(captcha)
    page.get_by_role("button", name="ユーザーIDを送信する").click()
    return page


def main_text(page) -> str:
    return page.locator("main").inner_text()


def test_known_and_unknown_addresses_get_identical_pages_and_only_the_known_one_an_email(
    live_server, new_context
):
    UserFactory(username="yamada", email="yamada@example.jp")
    UserFactory(username="yamada-corp", email="yamada@example.jp", corporate=True)
    UserFactory(username="someone", email="someone@example.jp")

    known = ask(new_context, live_server, "yamada@example.jp", screenshot=FORM_SCREENSHOT)
    expect(known.get_by_role("heading", level=1, name="メールをご確認ください")).to_be_visible()
    known.screenshot(path=DONE_SCREENSHOT, full_page=True)
    unknown = ask(new_context, live_server, "nobody@example.jp")
    expect(unknown.get_by_role("heading", level=1, name="メールをご確認ください")).to_be_visible()

    assert known.url == unknown.url == live_server.url + "/accounts/forgot-user-id/done/"
    assert known.title() == unknown.title()
    assert main_text(known) == main_text(unknown)
    assert settings.KENSHU_NOREPLY_EMAIL in main_text(known)
    expect(known.get_by_role("link", name="新規ユーザー登録")).to_be_visible()

    # One email only, to the known address, with every user ID of it.
    assert [m.to for m in mail.outbox] == [["yamada@example.jp"]]
    (message,) = mail.outbox
    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert re.findall(r"^  - (\S+)$", message.body, flags=re.M) == ["yamada", "yamada-corp"]


def test_a_wrong_captcha_shows_the_error_keeps_the_address_and_sends_nothing(
    live_server, new_context
):
    UserFactory(username="yamada", email="yamada@example.jp")
    page = ask(new_context, live_server, "yamada@example.jp", captcha="WRONG")

    summary = page.get_by_role("alert").filter(has_text="入力内容をご確認ください")
    expect(summary).to_be_focused()
    expect(page.locator("#id_captcha_error")).to_have_text(
        "入力された文字が画像の文字と一致しません。新しく表示された画像の文字を入力してください。"
    )
    expect(page.get_by_role("textbox", name="メールアドレス")).to_have_value("yamada@example.jp")
    page.screenshot(path=ERROR_SCREENSHOT, full_page=True)
    assert mail.outbox == []


def test_show_another_image_changes_the_image_and_keeps_the_address(live_server, page):
    page.goto(live_server.url + "/accounts/forgot-user-id/")
    image = page.get_by_role("img", name=re.compile("画像認証"))
    before = image.get_attribute("src")
    page.get_by_role("textbox", name="メールアドレス").fill("yamada@example.jp")
    page.get_by_role("link", name="別の画像を表示").click()
    expect(image).not_to_have_attribute("src", before)
    expect(page.get_by_role("textbox", name="メールアドレス")).to_have_value("yamada@example.jp")
    key = page.locator("input[name=captcha_0]").input_value()
    assert key in image.get_attribute("src")


def test_show_another_image_works_without_javascript(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + "/accounts/forgot-user-id/")
    before = page.locator("input[name=captcha_0]").input_value()
    page.get_by_role("link", name="別の画像を表示").click()
    page.wait_for_load_state()
    assert page.locator("input[name=captcha_0]").input_value() != before
