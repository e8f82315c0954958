"""/courses/: the catalogue search, open to anyone (DOMAIN.md §3, §14; issue 4 item 1).

Query string: q, code, delivery, partner, from, to, venue, available; published
courses only; 20 courses a page; bad input answered with a message, never a 500;
the same number of queries with 10 or 1,000 sessions.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from kenshu.catalog.models import Session
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.core.time import tokyo_datetime

from .helpers import bulk_catalogue, take_seats

pytestmark = pytest.mark.django_db

URL = "/courses/"


def found(client, **params) -> list[str]:
    """The course codes of the first page of results."""
    response = client.get(URL, params)
    assert response.status_code == 200
    page = response.context["page"]
    assert page is not None, response.context["form"].errors
    return [course.code for course in page.object_list]


@pytest.fixture
def catalogue():
    """A small catalogue in Japanese and English."""
    pm = CourseFactory(
        code="ILC1234",
        title="プロジェクトマネジメント基礎",
        summary="Project Management の基本を学びます。",
    )
    SessionFactory(course=pm, venue="東京本社 研修室A")
    writing = CourseFactory(code="ILC2001", title="ビジネス文書の書き方", summary="報告書と議事録")
    SessionFactory(course=writing, venue="大阪支社 会議室3")
    live = CourseFactory(
        code="LV3001", title="Leadership Basics", summary="リーダーシップ", live=True
    )
    SessionFactory(course=live)
    CourseFactory(code="EL0100", title="情報セキュリティ基礎", elearning=True, partner=True)
    CourseFactory(code="ILC9999", title="非公開のプロジェクト研修", is_published=False)
    return pm


def test_the_catalogue_lists_published_courses_by_code_without_logging_in(client, catalogue):
    assert found(client) == ["EL0100", "ILC1234", "ILC2001", "LV3001"]


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        pytest.param("ilc12", ["ILC1234"], id="part of the code, lower case"),
        pytest.param("マネジメント", ["ILC1234"], id="part of the title in Japanese"),
        pytest.param("議事録", ["ILC2001"], id="part of the summary in Japanese"),
        pytest.param("project management", ["ILC1234"], id="English words of the summary"),
        pytest.param("LEADERSHIP", ["LV3001"], id="English title in another case"),
        pytest.param("ＩＬＣ１２３４", ["ILC1234"], id="full-width letters and digits"),
        pytest.param("基礎　セキュリティ", ["EL0100"], id="every word, full-width space"),
        pytest.param("非公開", [], id="unpublished courses never show"),
    ],
)
def test_the_keyword_matches_part_of_the_code_title_or_summary(
    client, catalogue, keyword, expected
):
    assert found(client, q=keyword) == expected


def test_the_code_filter_matches_part_of_the_course_code_in_any_case(client, catalogue):
    assert found(client, code="ilc") == ["ILC1234", "ILC2001"]
    assert found(client, code="ILC1234") == ["ILC1234"]


@pytest.mark.parametrize(
    ("delivery", "expected"),
    [("classroom", ["ILC1234", "ILC2001"]), ("live", ["LV3001"]), ("elearning", ["EL0100"])],
)
def test_the_delivery_filter_keeps_courses_of_that_delivery(client, catalogue, delivery, expected):
    assert found(client, delivery=delivery) == expected


def test_partner_1_keeps_partner_courses_and_partner_0_leaves_them_out(client, catalogue):
    assert found(client, partner="1") == ["EL0100"]
    assert found(client, partner="0") == ["ILC1234", "ILC2001", "LV3001"]


def test_the_date_range_counts_session_start_days_in_tokyo(client):
    # 00:30 on 1 May in Tokyo is still 30 April in UTC.
    starts_at = tokyo_datetime(dt.date(2099, 5, 1), 0, 30)
    SessionFactory(
        course__code="NIGHT1",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        deadline=starts_at - dt.timedelta(days=2),
    )
    assert found(client, **{"from": "2099-05-01", "to": "2099-05-01"}) == ["NIGHT1"]
    assert found(client, to="2099-04-30") == []
    assert found(client, **{"from": "2099-05-02"}) == []


def test_the_date_range_ignores_cancelled_and_past_sessions_and_e_learning(client):
    day = dt.date(2099, 6, 10)
    SessionFactory(course__code="OPEN1", starts_on=day)
    SessionFactory(course__code="CANCEL1", starts_on=day, state=Session.State.CANCELLED)
    past = timezone.now() - dt.timedelta(days=3)
    SessionFactory(
        course__code="PAST1",
        starts_at=past,
        ends_at=past + dt.timedelta(hours=7),
        deadline=past - dt.timedelta(days=1),
    )
    CourseFactory(code="EL1", elearning=True)
    assert found(client, **{"from": "2099-06-01", "to": "2099-06-30"}) == ["OPEN1"]
    assert "PAST1" not in found(client, **{"to": "2099-06-30"})


def test_the_venue_filter_matches_part_of_a_session_venue(client, catalogue):
    assert found(client, venue="大阪") == ["ILC2001"]
    assert found(client, venue="研修室") == ["ILC1234"]


def test_date_range_and_venue_must_match_one_and_the_same_session(client):
    course = CourseFactory(code="TWO1")
    SessionFactory(course=course, starts_on=dt.date(2099, 5, 10), venue="大阪支社")
    SessionFactory(course=course, starts_on=dt.date(2099, 6, 10), venue="東京本社")
    may = {"from": "2099-05-01", "to": "2099-05-31"}
    assert found(client, venue="大阪", **may) == ["TWO1"]
    assert found(client, venue="東京", **may) == []


def test_available_keeps_courses_with_a_session_with_seats_left_and_e_learning(client):
    SessionFactory(course__code="FREE1", capacity=3)
    full = SessionFactory(course__code="FULL1", capacity=2)
    take_seats(full, 2)
    now = timezone.now()
    SessionFactory(
        course__code="CLOSED1",
        starts_at=now + dt.timedelta(hours=5),
        ends_at=now + dt.timedelta(hours=8),
        deadline=now - dt.timedelta(hours=1),
    )
    SessionFactory(course__code="CANCEL1", state=Session.State.CANCELLED)
    SessionFactory(course__code="CONFIRMED1", state=Session.State.CONFIRMED)
    CourseFactory(code="EL1", elearning=True)
    CourseFactory(code="NOSESSION1")

    assert found(client, available="1") == ["CONFIRMED1", "EL1", "FREE1"]
    assert set(found(client, available="0")) >= {"FULL1", "CLOSED1", "NOSESSION1"}


def test_available_shows_only_the_sessions_with_seats_left(client):
    course = CourseFactory(code="MIX1")
    full = SessionFactory(course=course, starts_on=dt.date(2099, 5, 1), capacity=1)
    take_seats(full, 1)
    free = SessionFactory(course=course, starts_on=dt.date(2099, 5, 8))
    response = client.get(URL, {"available": "1"})
    [shown] = response.context["page"].object_list
    assert shown.next_sessions == [free]


def test_each_result_shows_code_title_delivery_partner_badge_and_fee_with_and_without_tax(
    client,
):
    CourseFactory(
        code="EL0100", title="情報セキュリティ基礎", elearning=True, partner=True, fee=12345
    )
    html = client.get(URL).content.decode()
    assert "EL0100" in html
    assert 'href="/courses/EL0100/"' in html
    assert "情報セキュリティ基礎" in html
    assert "eラーニング" in html
    assert "他社提携コース" in html
    assert "12,345円（税抜）" in html
    assert "13,579円（税込）" in html  # 12,345 + 1,234 (10 %, rounded down)
    assert "お申し込み日の10日後から受講いただけます" in html


def test_each_result_shows_its_next_sessions_with_date_venue_and_seats_left_or_full(client):
    course = CourseFactory(code="ILC1234")
    SessionFactory(course=course, starts_on=dt.date(2099, 4, 15), venue="東京本社 研修室A")
    full = SessionFactory(course=course, starts_on=dt.date(2099, 4, 22), capacity=2)
    take_seats(full, 2)
    few = SessionFactory(course=course, starts_on=dt.date(2099, 4, 30), capacity=5)
    take_seats(few, 3)
    SessionFactory(course=course, starts_on=dt.date(2099, 5, 7))  # the 4th: not shown
    html = client.get(URL).content.decode()
    assert "2099年4月15日(水)" in html
    assert "10:00〜17:00" in html
    assert "東京本社 研修室A" in html
    assert "残り20席" in html
    assert "満席" in html
    assert "残り2席" in html
    assert "2099年5月7日" not in html
    assert "開催予定の日程をすべて見る（全4件）" in html


def test_more_upcoming_sessions_than_the_cap_are_not_counted_one_by_one(client):
    """Beyond UPCOMING_COUNT_CAP the link says "100+" (one probe of the index instead of
    counting every session of the course)."""
    from kenshu.catalog.models import Session
    from kenshu.catalog.selectors import UPCOMING_COUNT_CAP

    many = CourseFactory(code="MNY0001")
    exact = CourseFactory(code="MNY0002")
    first = SessionFactory(course=many, starts_on=dt.date(2099, 4, 1))
    Session.objects.bulk_create(
        Session(
            course=course,
            starts_at=first.starts_at + dt.timedelta(days=k + 1),
            ends_at=first.ends_at + dt.timedelta(days=k + 1),
            deadline=first.deadline,
            venue="東京",
            capacity=10,
        )
        for course, n in ((many, UPCOMING_COUNT_CAP), (exact, UPCOMING_COUNT_CAP))
        for k in range(n)
    )
    html = client.get(URL, {"code": "MNY"}).content.decode()
    assert f"開催予定の日程をすべて見る（全{UPCOMING_COUNT_CAP}+件）" in html  # 101
    assert f"開催予定の日程をすべて見る（全{UPCOMING_COUNT_CAP}件）" in html  # exactly 100


def test_a_live_session_without_venue_is_shown_online(client):
    SessionFactory(course__live=True, venue="")
    assert "オンライン" in client.get(URL).content.decode()


def test_results_come_20_to_a_page(client):
    CourseFactory.create_batch(45)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 20
    assert first.context["page"].paginator.num_pages == 3
    assert "45件のコースが見つかりました。" in first.content.decode()
    third = client.get(URL, {"page": 3})
    assert len(third.context["page"].object_list) == 5


def test_the_page_links_keep_the_search(client):
    CourseFactory.create_batch(25, title="営業研修")
    html = client.get(URL, {"q": "営業", "page": 1}).content.decode()
    assert 'href="?q=%E5%96%B6%E6%A5%AD&amp;page=2"' in html


@pytest.mark.parametrize("page", ["999", "abc", "-1"])
def test_an_impossible_page_number_shows_a_page_not_an_error(client, page):
    CourseFactory.create_batch(3)
    assert client.get(URL, {"page": page}).status_code == 200


BAD_DATE = "2026-05-11 のように日付を入力してください。"
OUT_OF_RANGE = "2000年から2199年までの日付を入力してください。"
TO_BEFORE_FROM = "終了日は開始日と同じ日か、それより後の日付を指定してください。"
NOT_A_CHOICE = "選択肢から選んでください。"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        pytest.param({"from": "2026-13-45"}, "from", BAD_DATE, id="impossible date"),
        pytest.param({"to": "next week"}, "to", BAD_DATE, id="not a date"),
        pytest.param({"from": "0001-01-01"}, "from", OUT_OF_RANGE, id="year 1"),
        pytest.param({"to": "9999-12-31"}, "to", OUT_OF_RANGE, id="year 9999"),
        pytest.param(
            {"from": "2099-05-10", "to": "2099-05-01"}, "to", TO_BEFORE_FROM, id="from after to"
        ),
        pytest.param({"delivery": "video"}, "delivery", NOT_A_CHOICE, id="unknown delivery"),
        pytest.param({"partner": "maybe"}, "partner", NOT_A_CHOICE, id="partner neither 1 nor 0"),
    ],
)
def test_bad_input_is_answered_with_a_japanese_message_and_no_results(
    client, catalogue, params, field, message
):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert response.context["form"].errors[field] == [message]
    html = response.content.decode()
    assert 'class="alert alert-danger error-summary"' in html
    assert message in html
    assert "検索条件を修正してください。" in html


def test_every_field_of_the_search_form_has_a_label(client):
    html = client.get(URL).content.decode()
    for name in ("q", "code", "delivery", "partner", "from", "to", "venue", "available"):
        assert f'<label class="form-label fw-semibold" for="id_{name}">' in html or (
            f'<label for="id_{name}">' in html
        ), name


def test_the_form_keeps_what_was_searched(client, catalogue):
    html = client.get(URL, {"q": "マネジメント", "available": "1", "from": "2099-01-02"}).content
    html = html.decode()
    assert 'value="マネジメント"' in html
    assert 'value="2099-01-02"' in html
    assert 'name="available" value="1" class="form-check-input" id="id_available" checked' in html


def test_the_home_page_search_box_leads_to_the_results(client, catalogue):
    home = client.get("/").content.decode()
    assert '<form method="get" action="/courses/"' in home
    assert found(client, q="プロジェクト") == ["ILC1234"]


def test_the_catalogue_is_in_english_when_chosen(client, catalogue):
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    assert "4 courses found." in html
    assert "seats left" in html


def test_an_empty_result_says_so(client, catalogue):
    assert "条件に合うコースはありません" in client.get(URL, {"q": "存在しない"}).content.decode()


# --- the query count is pinned: the same for 10 and 1,000 sessions (ARCHITECTURE.md §2)

#: Anonymous: count, page of courses (with the ids of their next sessions), those
#: sessions, seats left of every shown session (one query: enrolments and open
#: waiting-list offers).
QUERIES_ANONYMOUS = 4
#: ``available=1`` first finds the sessions with seats left: + sessions, + seat counts.
QUERIES_AVAILABLE = 6
#: A logged-in visitor: + the session row and the user.
QUERIES_LOGGED_IN = QUERIES_ANONYMOUS + 2


@pytest.fixture(params=[10, 1000], ids=["10 sessions", "1,000 sessions"])
def big_catalogue(request):
    courses = bulk_catalogue(courses=10, sessions=request.param)
    for session in Session.objects.filter(course=courses[0])[:2]:
        take_seats(session, 2)
    return courses


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        pytest.param({}, QUERIES_ANONYMOUS, id="everything"),
        pytest.param({"q": "一括", "delivery": "classroom"}, QUERIES_ANONYMOUS, id="keyword"),
        pytest.param(
            {"from": "2000-01-01", "to": "2199-12-31", "venue": "東京"},
            QUERIES_ANONYMOUS,
            id="dates and venue",
        ),
        pytest.param({"available": "1"}, QUERIES_AVAILABLE, id="seats left only"),
    ],
)
def test_the_catalogue_costs_the_same_queries_with_10_or_1000_sessions(
    client, django_assert_num_queries, big_catalogue, params, queries
):
    with django_assert_num_queries(queries):
        response = client.get(URL, params)
    assert response.status_code == 200
    page = response.context["page"]
    assert len(page.object_list) == 10
    assert all(course.next_sessions for course in page.object_list)


def test_the_catalogue_costs_the_same_for_a_logged_in_user(
    client, django_assert_num_queries, big_catalogue
):
    client.force_login(UserFactory())
    with django_assert_num_queries(QUERIES_LOGGED_IN):
        assert client.get(URL).status_code == 200


# --- anonymous visitors' pages are kept a few seconds (docs/performance.md) -----------


@pytest.fixture
def catalogue_cache(settings):
    from django.core.cache import cache

    settings.KENSHU_CATALOGUE_CACHE_SECONDS = 15
    cache.clear()
    yield cache
    cache.clear()


def test_anonymous_visitors_get_the_kept_page_for_a_few_seconds(client, catalogue_cache):
    session = SessionFactory(course__code="KEEP1", capacity=20)
    assert "残り20席" in client.get(URL).content.decode()
    take_seats(session, 5)
    assert "残り20席" in client.get(URL).content.decode()  # kept: up to 15 s old
    assert "残り15席" in client.get(URL, {"q": "KEEP1"}).content.decode()  # another search
    catalogue_cache.clear()
    assert "残り15席" in client.get(URL).content.decode()


def test_logged_in_users_always_get_a_fresh_page(client, catalogue_cache):
    session = SessionFactory(course__code="KEEP1", capacity=20)
    client.get(URL)
    take_seats(session, 5)
    client.force_login(UserFactory())
    html = client.get(URL).content.decode()
    assert "残り15席" in html
    assert "ログアウト" in html


def test_each_language_is_kept_apart(client, catalogue_cache):
    SessionFactory(course__code="KEEP1", capacity=20)
    assert "残り20席" in client.get(URL).content.decode()
    client.cookies["django_language"] = "en"
    assert "20 seats left" in client.get(URL).content.decode()


def test_the_kept_page_carries_each_visitor_s_own_csrf_token(client, catalogue_cache):
    """Only the content is kept: the layout (and its CSRF token, for the language
    switch) is made for each request."""
    from django.test import Client

    SessionFactory(course__code="KEEP1")
    first = client.get(URL)
    second = Client().get(URL)
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first.content.decode()).group(1) != token.search(
        second.content.decode()
    ).group(1)


def test_the_cache_is_off_unless_configured(client, settings):
    assert settings.KENSHU_CATALOGUE_CACHE_SECONDS == 0  # the test profile
    session = SessionFactory(course__code="KEEP1", capacity=20)
    client.get(URL)
    take_seats(session, 5)
    assert "残り15席" in client.get(URL).content.decode()
