"""The site in a real browser: Japanese by default, language switch, error page, layout."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.e2e

# Screenshots for a person to look at (fixed, well-known names on purpose).
SCREENSHOTS = Path("/tmp")  # noqa: S108
HOME_SCREENSHOT = SCREENSHOTS / "kenshu-home.png"
PHONE_SCREENSHOT = SCREENSHOTS / "kenshu-home-mobile.png"
PHONE_MENU_SCREENSHOT = SCREENSHOTS / "kenshu-home-mobile-menu.png"
NOT_FOUND_SCREENSHOT = SCREENSHOTS / "kenshu-404.png"


@pytest.fixture
def demo_catalogue():
    course = CourseFactory(code="ILC1234", title="ビジネス文書の書き方")
    SessionFactory(course=course, venue="東京本社 研修室A")
    SessionFactory(course__code="ILC2001", course__title="リーダーシップ研修", course__live=True)
    CourseFactory(
        elearning=True,
        code="EL0100",
        title="情報セキュリティ基礎(eラーニング)",
        summary="情報セキュリティの基本を自分のペースで学びます。",
        fee=11000,
    )
    return course


def test_home_page_is_in_japanese_and_shows_the_demo_course(live_server, page, demo_catalogue):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1, name="研修コースを探す")).to_be_visible()
    expect(page.get_by_role("heading", name="開催予定の日程")).to_be_visible()
    expect(page.get_by_role("link", name="ビジネス文書の書き方")).to_be_visible()
    expect(page.get_by_text("ILC1234")).to_be_visible()
    expect(page.get_by_role("link", name="情報セキュリティ基礎(eラーニング)")).to_be_visible()
    expect(page.get_by_role("searchbox", name="キーワードまたはコースコード")).to_be_visible()


def test_language_switch_in_the_header_changes_to_english_and_back(
    live_server, page, demo_catalogue
):
    page.goto(live_server.url + "/")
    page.get_by_role("banner").get_by_role("button", name=re.compile("English")).click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name="Find a training course")).to_be_visible()
    expect(page.get_by_role("heading", name="Upcoming sessions")).to_be_visible()

    page.get_by_role("banner").get_by_role("button", name=re.compile("日本語")).click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1, name="研修コースを探す")).to_be_visible()


def test_language_switch_keeps_the_visitor_on_the_same_page(live_server, page):
    page.goto(live_server.url + "/no-such-page/?q=1")
    page.get_by_role("banner").get_by_role("button", name=re.compile("English")).click()
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    assert page.url == live_server.url + "/no-such-page/?q=1"


def test_missing_page_shows_the_japanese_404_page(live_server, page):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1, name="ページが見つかりません")).to_be_visible()
    page.screenshot(path=NOT_FOUND_SCREENSHOT, full_page=True)
    page.get_by_role("link", name="トップページへ").click()
    expect(page.get_by_role("heading", level=1, name="研修コースを探す")).to_be_visible()


def test_logout_in_the_header_is_a_post_form_that_logs_out(live_server, new_context):
    user = UserFactory(last_name="山田", first_name="花子")
    client = Client()
    client.force_login(user)
    context = new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    header = page.get_by_role("banner")
    expect(header.get_by_text("山田 花子 様")).to_be_visible()
    expect(header.get_by_role("link", name="マイアカウント")).to_be_visible()

    header.get_by_role("button", name="ログアウト").click()

    expect(header.get_by_role("link", name="ログイン")).to_be_visible()
    expect(header.get_by_role("button", name="ログアウト")).to_have_count(0)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="本文へスキップ")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_home_page_loads_nothing_from_other_hosts(
    live_server, page, demo_catalogue, external_requests
):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert external_requests == []
    assert failed == []  # every stylesheet and script of our own came through
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Noto Sans JP"')


def test_home_page_screenshot_on_a_desktop(live_server, page, demo_catalogue):
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=HOME_SCREENSHOT, full_page=True)


def test_home_page_fits_a_390px_phone_without_sideways_scrolling(
    live_server, phone_page, demo_catalogue
):
    page = phone_page
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=PHONE_SCREENSHOT, full_page=True)
    header = page.get_by_role("banner")
    expect(header.get_by_role("button", name=re.compile("English"))).to_be_visible()
    expect(header.get_by_role("link", name="コース一覧")).to_be_hidden()  # in the collapsed menu

    header.get_by_role("button", name="メニューを開閉").click()

    expect(header.get_by_role("link", name="コース一覧")).to_be_visible()
    expect(header.get_by_role("link", name="ログイン")).to_be_visible()
    expect(page.locator("#site-nav.show:not(.collapsing)")).to_be_visible()
    page.screenshot(path=PHONE_MENU_SCREENSHOT)
