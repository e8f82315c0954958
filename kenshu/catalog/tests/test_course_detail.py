"""/courses/<code>/: a published course and its sessions (DOMAIN.md §3, §14; issue 4 item 1).

Apply buttons follow the R-TYPE table: individuals, corporate users and group
applicants (and visitors not logged in: the apply page asks them to log in)
see them; group and partner learners see none and are told why and whom to ask
(R-TYPE-2). A session takes applications while open or confirmed, before its
deadline, with a seat left (R-APPLY-4); a full one offers the waiting list.
"""

import datetime as dt

import pytest
from django.utils import timezone

from kenshu.catalog.models import Session
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.core.time import tokyo_datetime

from .helpers import bulk_catalogue, take_seats

pytestmark = pytest.mark.django_db


def page_of(client, code: str = "ILC1234") -> str:
    response = client.get(f"/courses/{code}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def course():
    return CourseFactory(
        code="ILC1234",
        title="プロジェクトマネジメント基礎",
        summary="計画の立て方を学びます。\n演習つき。",
        duration="2日間(14時間)",
        prerequisites="社会人経験1年以上",
        fee=50_000,
    )


@pytest.fixture
def session(course):
    return SessionFactory(
        course=course,
        starts_at=tokyo_datetime(dt.date(2099, 4, 15), 10),
        ends_at=tokyo_datetime(dt.date(2099, 4, 15), 17),
        deadline=tokyo_datetime(dt.date(2099, 4, 8), 17),
        venue="東京本社 研修室A",
        capacity=20,
    )


def test_the_course_page_shows_title_summary_duration_prerequisites_delivery_and_fees(
    client, course
):
    html = page_of(client)
    assert "<title>プロジェクトマネジメント基礎 |" in html
    assert "プロジェクトマネジメント基礎</h1>" in html
    assert "計画の立て方を学びます。<br>演習つき。" in html
    assert "2日間(14時間)" in html
    assert "社会人経験1年以上" in html
    assert "集合研修" in html
    assert "50,000円（税抜）" in html
    assert "55,000円（税込）" in html


def test_a_partner_course_is_marked_as_one(client):
    CourseFactory(code="PT1", partner=True)
    assert "他社提携コース" in page_of(client, "PT1")


def test_each_session_shows_tokyo_date_and_time_venue_seats_left_deadline_and_state(
    client, session
):
    take_seats(session, 3)
    html = page_of(client)
    assert "2099年4月15日(水)" in html
    assert "10:00〜17:00" in html
    assert "東京本社 研修室A" in html
    assert "残り17席" in html
    assert "4月8日(水) 17:00" in html
    assert "受付中" in html


def test_a_confirmed_session_says_it_will_be_held(client, session):
    session.state = Session.State.CONFIRMED
    session.save()
    html = page_of(client)
    assert "開催決定" in html
    assert f'href="/apply/session/{session.pk}/"' in html


def test_a_session_over_two_days_shows_when_it_ends(client, course):
    SessionFactory(
        course=course,
        starts_at=tokyo_datetime(dt.date(2099, 4, 15), 10),
        ends_at=tokyo_datetime(dt.date(2099, 4, 16), 17),
        deadline=tokyo_datetime(dt.date(2099, 4, 8), 17),
    )
    assert "10:00〜4月16日(木) 17:00" in page_of(client)


def test_a_live_session_without_venue_is_online(client):
    SessionFactory(course__code="LV1", course__live=True, venue="")
    html = page_of(client, "LV1")
    assert "ライブ研修" in html
    assert "オンライン" in html


def test_a_full_session_says_full_and_offers_the_waiting_list_instead(client, session):
    take_seats(session, 20)
    html = page_of(client)
    assert "満席" in html
    assert "キャンセル待ちに登録する" in html
    assert f'href="/apply/session/{session.pk}/"' in html
    assert "申し込む</a>" not in html


def test_a_cancelled_session_is_shown_as_cancelled_without_a_button(client, session):
    session.state = Session.State.CANCELLED
    session.save()
    html = page_of(client)
    assert "中止" in html
    assert "2099年4月15日(水)" in html
    assert "/apply/session/" not in html


def test_a_session_past_its_deadline_is_closed_without_a_button(client, course):
    now = timezone.now()
    SessionFactory(
        course=course,
        starts_at=now + dt.timedelta(hours=20),
        ends_at=now + dt.timedelta(hours=27),
        deadline=now - dt.timedelta(minutes=1),
    )
    html = page_of(client)
    assert "受付終了" in html
    assert "/apply/session/" not in html


def test_sessions_that_have_started_are_not_listed(client, course):
    started = timezone.now() - dt.timedelta(hours=1)
    SessionFactory(
        course=course,
        starts_at=started,
        ends_at=started + dt.timedelta(hours=7),
        deadline=started - dt.timedelta(days=1),
        venue="過去の会場",
    )
    html = page_of(client)
    assert "過去の会場" not in html
    assert "現在、開催予定の日程はありません。" in html


def test_sessions_come_20_to_a_page_in_date_order(client, course):
    for day in range(25):
        SessionFactory(course=course, starts_on=dt.date(2099, 1, 1) + dt.timedelta(days=day))
    first = client.get("/courses/ILC1234/")
    sessions = first.context["page"].object_list
    assert len(sessions) == 20
    assert sessions == sorted(sessions, key=lambda s: s.starts_at)
    assert len(client.get("/courses/ILC1234/", {"page": 2}).context["page"].object_list) == 5


# --- who sees an apply button (R-TYPE, R-TYPE-2) ----------------------------------------


@pytest.mark.parametrize(
    "traits",
    [
        pytest.param({}, id="individual"),
        pytest.param({"corporate": True}, id="corporate"),
        pytest.param({"group_applicant": True}, id="group applicant"),
    ],
)
def test_users_who_may_apply_see_the_apply_button(client, session, traits):
    client.force_login(UserFactory(**traits))
    html = page_of(client)
    assert f'href="/apply/session/{session.pk}/"' in html
    assert "申し込む</a>" in html
    assert "ご自身でのお申し込みはできません" not in html


def test_visitors_not_logged_in_see_the_apply_button_which_leads_to_login(client, session):
    html = page_of(client)
    assert f'href="/apply/session/{session.pk}/"' in html
    assert "お申し込みにはユーザーIDでのログインが必要です" in html


@pytest.mark.parametrize("learner_type", ["group_learner", "partner_learner"])
def test_learners_see_no_apply_button_and_are_told_whom_to_ask(client, session, learner_type):
    learner = UserFactory(**{learner_type: True})
    UserFactory(
        group_applicant=True,
        organisation=learner.organisation,
        last_name="鈴木",
        first_name="人事",
    )
    client.force_login(learner)
    html = page_of(client)
    assert "/apply/" not in html
    assert "/purchase/" not in html
    assert "ご自身でのお申し込みはできません" in html
    assert "鈴木 人事" in html
    assert learner.organisation.name in html
    # The sessions are still shown (R-TYPE-2: "sees sessions but no apply button").
    assert "2099年4月15日(水)" in html
    assert "残り20席" in html


def test_learners_see_no_waiting_list_link_on_a_full_session_either(client, session):
    take_seats(session, 20)
    client.force_login(UserFactory(group_learner=True))
    html = page_of(client)
    assert "満席" in html
    assert "/apply/" not in html


def test_buying_seats_for_others_is_hidden_while_the_purchase_page_does_not_exist(
    client, session, settings
):
    settings.ROOT_URLCONF = "kenshu.catalog.tests.no_purchase_urls"
    client.force_login(UserFactory(group_applicant=True))
    assert "/purchase/" not in page_of(client)


@pytest.fixture
def purchase_pages(settings):
    """The site with the purchase pages of R-APPLY-2 mounted (a later issue)."""
    settings.ROOT_URLCONF = "kenshu.catalog.tests.purchase_urls"


def test_group_applicants_get_a_buy_for_others_link_once_the_purchase_page_exists(
    client, session, purchase_pages
):
    client.force_login(UserFactory(group_applicant=True))
    html = page_of(client)
    assert f'href="/purchase/session/{session.pk}/"' in html
    assert "他の方の受講枠を購入" in html


@pytest.mark.parametrize("traits", [{}, {"corporate": True}])
def test_only_group_applicants_may_buy_for_others(client, session, purchase_pages, traits):
    client.force_login(UserFactory(**traits))
    assert "/purchase/" not in page_of(client)


def test_nobody_is_offered_to_buy_seats_of_a_full_session(client, session, purchase_pages):
    take_seats(session, 20)
    client.force_login(UserFactory(group_applicant=True))
    assert "/purchase/" not in page_of(client)


# --- e-learning (R-ELEARN-1) ------------------------------------------------------------


def test_an_e_learning_course_shows_its_access_period_start_rule_and_apply_button(client):
    CourseFactory(code="EL0100", elearning=True, access_days=90, fee=11_000)
    html = page_of(client, "EL0100")
    assert "受講期間" in html
    assert "90日間" in html
    assert "お申し込み日の7日後から受講開始となります（他社提携コースは10日後）" in html
    assert 'href="/apply/course/EL0100/"' in html
    assert "12,100円（税込）" in html
    assert "日程</h2>" not in html


def test_a_partner_e_learning_course_starts_10_days_after_applying(client):
    CourseFactory(code="EL0200", elearning=True, partner=True)
    assert "お申し込み日の10日後から受講開始となります（他社提携コース）" in page_of(
        client, "EL0200"
    )


def test_learners_see_no_e_learning_apply_button_and_the_reason(client):
    CourseFactory(code="EL0100", elearning=True)
    client.force_login(UserFactory(partner_learner=True))
    html = page_of(client, "EL0100")
    assert "/apply/" not in html
    assert "ご自身でのお申し込みはできません" in html


def test_group_applicants_may_buy_e_learning_for_others_once_the_page_exists(
    client, purchase_pages
):
    CourseFactory(code="EL0100", elearning=True)
    client.force_login(UserFactory(group_applicant=True))
    assert 'href="/purchase/course/EL0100/"' in page_of(client, "EL0100")


# --- what is not shown -----------------------------------------------------------------


def test_an_unpublished_course_is_not_found(client):
    CourseFactory(code="HIDDEN1", is_published=False)
    assert client.get("/courses/HIDDEN1/").status_code == 404


def test_an_unknown_course_code_is_not_found(client):
    assert client.get("/courses/NOPE/").status_code == 404


def test_a_course_code_typed_in_lower_case_redirects_to_the_page(client, course):
    response = client.get("/courses/ilc1234/")
    assert response.status_code == 301
    assert response["Location"] == "/courses/ILC1234/"


def test_the_course_page_is_in_english_when_chosen(client, session):
    client.cookies["django_language"] = "en"
    html = page_of(client)
    assert "¥50,000 (excl. tax)" in html
    assert "¥55,000 (incl. tax)" in html
    assert "20 seats left" in html


# --- the query count is pinned: the same for 10 and 1,000 sessions (ARCHITECTURE.md §2)

#: The course, the count and page of its sessions, seats left of the page (one query).
QUERIES_ANONYMOUS = 4
#: + the session row and the user.
QUERIES_LOGGED_IN = QUERIES_ANONYMOUS + 2
#: + the learner's applicants (whom to ask, R-TYPE-2).
QUERIES_LEARNER = QUERIES_LOGGED_IN + 1


@pytest.fixture(params=[10, 1000], ids=["10 sessions", "1,000 sessions"])
def big_course(request):
    [course] = bulk_catalogue(courses=1, sessions=request.param)
    for session in Session.objects.filter(course=course)[:3]:
        take_seats(session, 2)
    return course


@pytest.mark.parametrize(
    ("traits", "queries"),
    [
        pytest.param(None, QUERIES_ANONYMOUS, id="anonymous"),
        pytest.param({}, QUERIES_LOGGED_IN, id="individual"),
        pytest.param({"group_applicant": True}, QUERIES_LOGGED_IN, id="group applicant"),
        pytest.param({"group_learner": True}, QUERIES_LEARNER, id="group learner"),
    ],
)
def test_the_course_page_costs_the_same_queries_with_10_or_1000_sessions(
    client, django_assert_num_queries, big_course, traits, queries
):
    if traits is not None:
        client.force_login(UserFactory(**traits))
    with django_assert_num_queries(queries):
        response = client.get(f"/courses/{big_course.code}/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 10 or (
        response.context["page"].paginator.count == 1000
        and len(response.context["page"].object_list) == 20
    )
