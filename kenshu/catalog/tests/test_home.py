"""The home page: search box, upcoming sessions, e-learning courses, news (DOMAIN.md §14)."""

import datetime as dt

import pytest
from django.utils import timezone

from kenshu.catalog.models import Course, Session
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.core.time import tokyo_datetime

pytestmark = pytest.mark.django_db


def test_home_answers_200_in_japanese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "研修コースを探す" in html
    assert "開催予定の日程" in html
    assert "コース一覧" in html


def test_home_answers_in_english_when_the_language_cookie_says_so(client):
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Find a training course" in html


def test_home_shows_the_provider_name_in_header_title_and_footer(client, settings):
    settings.KENSHU_PROVIDER_NAME = "株式会社テスト研修センター"
    html = client.get("/").content.decode()
    assert html.count("株式会社テスト研修センター") >= 3
    assert "<title>株式会社テスト研修センター | 研修申込みシステム</title>" in html


def test_home_search_box_sends_q_to_the_catalogue_search_by_get(client):
    html = client.get("/").content.decode()
    assert '<form method="get" action="/courses/" role="search"' in html
    assert 'name="q"' in html
    assert '<label for="home-search-q"' in html


def test_home_lists_upcoming_sessions_with_japanese_date_code_title_delivery_and_venue(client):
    session = SessionFactory(
        course__code="ILC1234",
        course__title="プロジェクトマネジメント基礎",
        starts_at=tokyo_datetime(dt.date(2099, 4, 15), 10),
        ends_at=tokyo_datetime(dt.date(2099, 4, 15), 17),
        deadline=tokyo_datetime(dt.date(2099, 4, 8), 17),
        venue="東京本社 研修室A",
    )
    html = client.get("/").content.decode()
    assert "2099年4月15日(水)" in html
    assert "10:00〜17:00" in html
    assert "申込締切：4月8日(水)" in html
    assert session.course.code in html
    assert "プロジェクトマネジメント基礎" in html
    assert "集合研修" in html
    assert "東京本社 研修室A" in html
    assert 'href="/courses/ILC1234/"' in html


def test_home_shows_session_times_in_tokyo_time_even_for_a_utc_datetime(client):
    SessionFactory(
        starts_at=dt.datetime(2099, 4, 15, 1, 0, tzinfo=dt.UTC),  # 10:00 JST
        ends_at=dt.datetime(2099, 4, 15, 8, 0, tzinfo=dt.UTC),
        deadline=dt.datetime(2099, 4, 1, 1, 0, tzinfo=dt.UTC),
    )
    assert "10:00〜17:00" in client.get("/").content.decode()


def test_home_says_online_for_a_live_session_without_venue(client):
    SessionFactory(course__live=True, venue="")
    html = client.get("/").content.decode()
    assert "ライブ研修" in html
    assert "オンライン" in html


def test_home_marks_a_confirmed_session_and_a_partner_course(client):
    SessionFactory(state=Session.State.CONFIRMED, course__partner=True)
    html = client.get("/").content.decode()
    assert "開催決定" in html
    assert "他社提携コース" in html


def test_home_leaves_out_past_cancelled_and_unpublished_sessions(client):
    shown = SessionFactory(course__title="表示される研修")
    SessionFactory(course__title="中止された研修", state=Session.State.CANCELLED)
    SessionFactory(course__title="非公開の研修", course__is_published=False)
    past_start = timezone.now() - dt.timedelta(days=3)
    SessionFactory(
        course__title="終了した研修",
        starts_at=past_start,
        ends_at=past_start + dt.timedelta(hours=7),
        deadline=past_start - dt.timedelta(days=1),
    )
    html = client.get("/").content.decode()
    assert shown.course.title in html
    assert "中止された研修" not in html
    assert "非公開の研修" not in html
    assert "終了した研修" not in html


def test_home_lists_sessions_soonest_first(client):
    later = SessionFactory(course__title="後の研修", starts_on=dt.date(2099, 6, 1))
    sooner = SessionFactory(course__title="先の研修", starts_on=dt.date(2099, 5, 1))
    html = client.get("/").content.decode()
    assert html.index(sooner.course.title) < html.index(later.course.title)


def test_home_says_so_when_no_session_is_open(client):
    assert "現在、お申し込みを受け付けている日程はありません。" in client.get("/").content.decode()


def test_home_lists_published_elearning_courses_with_fee_and_access_period(client):
    CourseFactory(
        elearning=True, code="EL0001", title="情報セキュリティ入門", fee=33000, access_days=90
    )
    CourseFactory(elearning=True, code="EL0002", title="非公開のeラーニング", is_published=False)
    CourseFactory(code="CL0001", title="集合研修のコース")
    html = client.get("/").content.decode()
    assert "情報セキュリティ入門" in html
    assert "33,000円（税抜）" in html
    assert "90日間" in html
    assert "非公開のeラーニング" not in html
    assert "集合研修のコース" not in html


def test_home_shows_the_news_block(client):
    html = client.get("/").content.decode()
    assert "お知らせ" in html
    assert "研修申込みシステムをリニューアルしました" in html


def test_home_query_count_does_not_grow_with_the_number_of_sessions(
    client, django_assert_num_queries
):
    for _ in range(3):
        SessionFactory()
    CourseFactory(elearning=True)
    with django_assert_num_queries(2):  # upcoming sessions with courses; e-learning courses
        client.get("/")
    for _ in range(7):
        SessionFactory()
    for _ in range(5):
        CourseFactory(elearning=True)
    with django_assert_num_queries(2):
        client.get("/")


def test_home_shows_at_most_ten_upcoming_sessions(client):
    for day in range(1, 13):
        SessionFactory(course__title=f"日程{day:02d}の研修", starts_on=dt.date(2099, 5, day))
    html = client.get("/").content.decode()
    assert "日程10の研修" in html
    assert "日程11の研修" not in html


def test_header_offers_login_to_anonymous_visitors(client):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in html
    assert "ログアウト" not in html
    assert "マイアカウント" not in html.split("<main")[0]


def test_header_offers_my_account_and_logout_as_a_post_form_with_csrf_when_logged_in(client):
    user = UserFactory(last_name="山田", first_name="花子")
    client.force_login(user)
    html = client.get("/").content.decode()
    header = html.split("<main")[0]
    assert 'href="/account/"' in header
    assert "マイアカウント" in header
    assert "山田 花子 様" in header
    logout_form = header.split('action="/accounts/logout/"')[0].rsplit("<form", 1)[1]
    assert 'method="post"' in logout_form
    after = header.split('action="/accounts/logout/"')[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken"' in after


def test_language_switch_posts_to_set_language_with_csrf_and_the_current_page(client):
    html = client.get("/?q=x").content.decode()
    form = html.split('action="/i18n/setlang/"')[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="next" value="/?q=x"' in form
    assert 'name="language" value="en"' in form
    assert '<span lang="en">English</span>' in form


def test_language_switch_sets_english_and_back_to_japanese(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert '<html lang="ja">' in client.get("/").content.decode()


def test_page_has_a_skip_link_to_the_main_content(client):
    html = client.get("/").content.decode()
    assert 'href="#main"' in html
    assert 'id="main"' in html
    assert "本文へスキップ" in html


def test_course_delivery_labels_are_translated():
    from django.utils import translation

    with translation.override("ja"):
        labels = [str(label) for label in Course.Delivery.labels]
    assert labels == ["集合研修", "ライブ研修", "eラーニング"]
