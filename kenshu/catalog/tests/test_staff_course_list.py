"""/staff/catalogue/: every course, published or not, searchable, 50 a page."""

import pytest

from kenshu.catalog.models import Course
from kenshu.core.testing import CourseFactory, SessionFactory

from .helpers import bulk_catalogue

pytestmark = pytest.mark.django_db

URL = "/staff/catalogue/"


def found(client, **params) -> list[str]:
    return [c.code for c in client.get(URL, params).context["page"].object_list]


@pytest.fixture
def courses():
    CourseFactory(code="ILC1234", title="プロジェクトマネジメント基礎")
    CourseFactory(code="ILC2001", title="ビジネス文書", is_published=False)
    CourseFactory(code="EL0100", title="情報セキュリティ", elearning=True)


def test_the_list_shows_published_and_unpublished_courses(client, reception, courses):
    client.force_login(reception)
    assert found(client) == ["EL0100", "ILC1234", "ILC2001"]
    html = client.get(URL).content.decode()
    assert "公開中" in html
    assert "非公開" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "ilc2"}, ["ILC2001"]),
        ({"q": "マネジメント"}, ["ILC1234"]),
        ({"delivery": Course.Delivery.ELEARNING}, ["EL0100"]),
        ({"published": "0"}, ["ILC2001"]),
        ({"published": "1", "q": "ILC"}, ["ILC1234"]),
    ],
)
def test_the_list_can_be_searched_and_filtered(client, reception, courses, params, expected):
    client.force_login(reception)
    assert found(client, **params) == expected


def test_each_row_links_to_the_course_and_counts_its_sessions(client, reception):
    session = SessionFactory(course__code="ILC1234")
    SessionFactory(course=session.course)
    client.force_login(reception)
    response = client.get(URL)
    [course] = response.context["page"].object_list
    assert course.session_count == 2
    assert f'href="/staff/catalogue/courses/{course.pk}/"' in response.content.decode()


def test_a_bad_filter_value_is_answered_with_a_message(client, reception, courses):
    client.force_login(reception)
    response = client.get(URL, {"published": "perhaps"})
    assert response.status_code == 200
    assert "選択肢から選んでください。" in response.content.decode()


def test_the_list_comes_50_to_a_page(client, reception):
    CourseFactory.create_batch(55)
    client.force_login(reception)
    assert len(client.get(URL).context["page"].object_list) == 50
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 5


@pytest.mark.parametrize("sessions", [10, 1000])
def test_the_list_costs_the_same_queries_whatever_the_number_of_sessions(
    client, reception, django_assert_num_queries, sessions
):
    bulk_catalogue(courses=10, sessions=sessions)
    client.force_login(reception)
    # session, user, the user's permissions (2), count, page.
    with django_assert_num_queries(6):
        assert client.get(URL).status_code == 200
