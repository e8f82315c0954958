"""The catalogue in a real browser (issue 4 item 1): search from the home page, open a
course, see its sessions with seats left; a group learner sees no apply button and
is told why and whom to ask (R-TYPE-2). Screenshots on a desktop and a 390px phone."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kenshu.core.testing import (
    DEFAULT_PASSWORD,
    CourseFactory,
    OrganisationFactory,
    SessionFactory,
    UserFactory,
    verified,
)
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment

pytestmark = pytest.mark.e2e

# Screenshots for a person to look at (fixed, well-known names on purpose).
SCREENSHOTS = Path("/tmp")  # noqa: S108
CATALOGUE_SCREENSHOT = SCREENSHOTS / "kenshu-catalogue.png"
CATALOGUE_PHONE_SCREENSHOT = SCREENSHOTS / "kenshu-catalogue-mobile.png"
COURSE_SCREENSHOT = SCREENSHOTS / "kenshu-course.png"
COURSE_PHONE_SCREENSHOT = SCREENSHOTS / "kenshu-course-mobile.png"
LEARNER_SCREENSHOT = SCREENSHOTS / "kenshu-course-group-learner.png"


def take_seats(session, count):
    for _ in range(count):
        learner = UserFactory()
        Enrollment.objects.create(
            learner=learner,
            applicant=learner,
            course=session.course,
            session=session,
            fee=session.course.fee,
            applied_at=session.deadline - dt.timedelta(days=10),
        )


@pytest.fixture
def catalogue():
    """A small catalogue: a classroom course with an open, a full and a confirmed
    session, a live course, an e-learning partner course."""
    day = tokyo_date() + dt.timedelta(days=40)
    pm = CourseFactory(
        code="ILC1234",
        title="プロジェクトマネジメント基礎",
        summary="プロジェクトの計画、進捗管理、リスク対応の基本を演習で学びます。",
        duration="2日間(14時間)",
        prerequisites="社会人経験1年以上",
        fee=55_000,
    )
    open_session = SessionFactory(
        course=pm, starts_on=day, venue="東京研修センター 3F", capacity=20
    )
    take_seats(open_session, 3)
    full = SessionFactory(course=pm, starts_on=day + dt.timedelta(days=7), capacity=2)
    take_seats(full, 2)
    SessionFactory(
        course=pm,
        starts_on=day + dt.timedelta(days=14),
        venue="大阪研修センター 5F",
        state="confirmed",
    )
    live = CourseFactory(
        code="LV2001", title="リーダーシップ実践(ライブ研修)", live=True, fee=38_000
    )
    SessionFactory(course=live, starts_on=day + dt.timedelta(days=3))
    CourseFactory(
        code="EL0100",
        title="情報セキュリティ基礎(eラーニング)",
        summary="情報セキュリティの基本を自分のペースで学びます。",
        elearning=True,
        partner=True,
        fee=11_000,
    )
    return pm


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("banner").get_by_role("button", name="ログアウト")).to_be_visible()


def test_search_from_the_home_page_open_a_course_and_see_its_sessions(
    live_server, page, catalogue, external_requests
):
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="キーワードまたはコースコード").fill("マネジメント")
    page.get_by_role("button", name="検索", exact=True).click()

    expect(page).to_have_url(
        live_server.url + "/courses/?q=%E3%83%9E%E3%83%8D%E3%82%B8%E3%83%A1%E3%83%B3%E3%83%88"
    )
    expect(page.get_by_role("heading", level=1, name="コース一覧")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("1件のコースが見つかりました。")
    result = page.get_by_role("article")
    expect(result.get_by_text("残り17席")).to_be_visible()
    expect(result.get_by_text("満席")).to_be_visible()
    expect(result.get_by_text("60,500円（税込）")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=CATALOGUE_SCREENSHOT, full_page=True)

    result.get_by_role("link", name="プロジェクトマネジメント基礎").click()

    expect(page).to_have_url(live_server.url + "/courses/ILC1234/")
    expect(
        page.get_by_role("heading", level=1, name="プロジェクトマネジメント基礎")
    ).to_be_visible()
    sessions = page.get_by_role("table")
    expect(sessions.get_by_role("row")).to_have_count(4)  # header + 3 sessions
    expect(sessions.get_by_text("残り17席")).to_be_visible()
    expect(sessions.get_by_text("東京研修センター 3F")).to_be_visible()
    expect(sessions.get_by_text("満席")).to_be_visible()
    expect(sessions.get_by_text("開催決定")).to_be_visible()
    expect(sessions.get_by_role("link", name="キャンセル待ちに登録する")).to_have_count(1)
    expect(sessions.get_by_role("link", name="申し込む")).to_have_count(2)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=COURSE_SCREENSHOT, full_page=True)
    assert external_requests == []


def test_the_catalogue_narrows_by_delivery_and_seats_left(live_server, page, catalogue):
    page.goto(live_server.url + "/courses/")
    page.get_by_label("実施形態").select_option("elearning")
    page.get_by_label("空席のあるコースのみ（eラーニングを含む）").check()
    page.get_by_role("button", name="検索", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("1件のコースが見つかりました。")
    expect(page.get_by_role("link", name="情報セキュリティ基礎(eラーニング)")).to_be_visible()
    expect(page.get_by_label("空席のあるコースのみ（eラーニングを含む）")).to_be_checked()


def test_a_bad_date_range_is_answered_with_an_error_summary(live_server, page, catalogue):
    page.goto(live_server.url + "/courses/?from=2099-05-10&to=2099-05-01")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(
        "終了日は開始日と同じ日か、それより後の日付を指定してください。"
    )
    summary.get_by_role("link", name="開催日（まで）").click()
    expect(page.get_by_label("開催日（まで）")).to_be_focused()


def test_a_group_learner_sees_the_sessions_but_no_apply_button_and_whom_to_ask(
    live_server, page, catalogue
):
    organisation = OrganisationFactory(name="株式会社サンプル商事")
    UserFactory(
        group_applicant=True, organisation=organisation, last_name="鈴木", first_name="人事"
    )
    verified(UserFactory(group_learner=True, organisation=organisation, username="gakushu"))

    log_in(page, live_server.url, "gakushu")
    page.goto(live_server.url + "/courses/ILC1234/")

    expect(page.get_by_text("残り17席")).to_be_visible()
    expect(page.get_by_role("link", name="申し込む")).to_have_count(0)
    expect(page.get_by_role("link", name="キャンセル待ちに登録する")).to_have_count(0)
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("ご自身でのお申し込みはできません")
    expect(notice).to_contain_text("鈴木 人事")
    expect(notice).to_contain_text("株式会社サンプル商事")
    page.screenshot(path=LEARNER_SCREENSHOT, full_page=True)


def test_the_catalogue_and_a_course_fit_a_390px_phone(live_server, phone_page, catalogue):
    page = phone_page
    page.goto(live_server.url + "/courses/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The filters beyond the keyword are folded away until asked for.
    expect(page.get_by_label("キーワード", exact=True)).to_be_visible()
    expect(page.get_by_label("会場")).to_be_hidden()
    page.screenshot(path=CATALOGUE_PHONE_SCREENSHOT, full_page=True)

    page.goto(live_server.url + "/courses/ILC1234/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("link", name="申し込む").first).to_be_visible()
    page.screenshot(path=COURSE_PHONE_SCREENSHOT, full_page=True)
