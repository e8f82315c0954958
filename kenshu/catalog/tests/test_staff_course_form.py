"""/staff/catalogue/courses/new/ and /staff/catalogue/courses/<pk>/edit/: administrators
create and change courses; Japanese errors; every change audited."""

import pytest

from kenshu.audit.models import AuditEntry
from kenshu.catalog.models import Course
from kenshu.core.testing import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db

NEW = "/staff/catalogue/courses/new/"


def course_data(**fields) -> dict:
    return {
        "code": "ILC5000",
        "title": "新任管理職研修",
        "summary": "管理職の基本",
        "delivery": "classroom",
        "fee": "60000",
        "duration": "1日",
        "prerequisites": "",
        "access_days": "90",
        "is_published": "on",
        **fields,
    }


def test_an_administrator_creates_a_course_and_it_is_audited(client, administrator):
    client.force_login(administrator)
    response = client.post(NEW, course_data())
    course = Course.objects.get(code="ILC5000")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/catalogue/courses/{course.pk}/"
    assert course.is_published
    assert course.fee == 60_000
    entry = AuditEntry.objects.get(action="course.created")
    assert entry.actor == administrator
    assert entry.target == course
    page = client.get(response["Location"]).content.decode()
    assert "コース ILC5000 を登録しました。" in page


def test_a_course_code_typed_in_lower_case_or_full_width_is_stored_in_capitals(
    client, administrator
):
    client.force_login(administrator)
    client.post(NEW, course_data(code="ｉｌｃ５０００"))
    assert Course.objects.filter(code="ILC5000").exists()


def test_a_course_code_already_used_is_refused_in_japanese(client, administrator):
    CourseFactory(code="ILC5000")
    client.force_login(administrator)
    response = client.post(NEW, course_data())
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "このコースコードは既に他のコースで使われています。"
    ]
    html = response.content.decode()
    assert 'class="alert alert-danger error-summary"' in html
    assert Course.objects.count() == 1
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "ilc 5000!"}, "code"),
        ({"title": ""}, "title"),
        ({"fee": "-1"}, "fee"),
        ({"fee": "abc"}, "fee"),
        ({"delivery": "video"}, "delivery"),
    ],
)
def test_bad_input_is_answered_with_the_form_and_nothing_saved(
    client, administrator, fields, field
):
    client.force_login(administrator)
    response = client.post(NEW, course_data(**fields))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Course.objects.exists()


def test_an_administrator_edits_a_course_and_the_change_is_audited(client, administrator):
    course = CourseFactory(code="ILC1234", fee=50_000, is_published=True)
    client.force_login(administrator)
    form = client.get(f"/staff/catalogue/courses/{course.pk}/edit/")
    assert 'value="ILC1234"' in form.content.decode()
    response = client.post(
        f"/staff/catalogue/courses/{course.pk}/edit/",
        course_data(code="ILC1234", title=course.title, fee="52000", is_published=""),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.fee == 52_000
    assert not course.is_published
    entry = AuditEntry.objects.get(action="course.changed")
    assert entry.data["changes"]["fee"] == [50_000, 52_000]
    assert entry.data["changes"]["is_published"] == [True, False]


def test_a_course_with_sessions_cannot_be_turned_into_e_learning(client, administrator):
    session = SessionFactory(course__code="ILC1234")
    client.force_login(administrator)
    response = client.post(
        f"/staff/catalogue/courses/{session.course_id}/edit/",
        course_data(code="ILC1234", delivery="elearning"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["delivery"] == [
        "このコースには日程があるため、eラーニングに変更できません。"
    ]
    session.course.refresh_from_db()
    assert session.course.delivery == "classroom"
    # The page still names the course as it is stored.
    assert "コース ILC1234 を編集" in response.content.decode()


def test_the_form_labels_every_field(client, administrator):
    client.force_login(administrator)
    html = client.get(NEW).content.decode()
    for name in ("code", "title", "summary", "delivery", "fee", "duration", "access_days"):
        assert f'for="id_{name}"' in html
    assert "コースコード" in html
    assert "受講料（円・税抜）" in html
