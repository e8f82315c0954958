"""/staff/elearning/ (DOMAIN.md §11, §13): staff record e-learning completion; the
learner then sees it in My Account."""

import pytest

from kenshu.audit.models import AuditEntry
from kenshu.core import time as ktime
from kenshu.core.testing import CourseFactory, UserFactory
from kenshu.enrollments.models import Enrollment

pytestmark = pytest.mark.django_db

URL = "/staff/elearning/"


@pytest.fixture
def course(db):
    return CourseFactory(elearning=True, code="EL100", title="情報セキュリティ基礎")


@pytest.fixture
def learners(course, apply):
    people = [
        UserFactory(username="el-1", last_name="青木", last_name_kana="アオキ"),
        UserFactory(username="el-2", last_name="石井", last_name_kana="イシイ"),
    ]
    return [apply(person, course=course) for person in people]


@pytest.fixture
def access_begun(learners, monkeypatch):
    later = ktime.tokyo_datetime(learners[0].access_starts_on, 12)
    monkeypatch.setattr(ktime, "now", lambda: later)


def test_the_page_lists_the_learners_of_the_chosen_course(client, reception, course, learners):
    client.force_login(reception)
    assert client.get(URL).context["page"] is None  # no course chosen yet
    response = client.get(URL, {"course": course.pk})
    assert [e.learner.username for e in response.context["page"].object_list] == ["el-1", "el-2"]
    response = client.get(URL, {"course": course.pk, "q": "いしい"})
    assert [e.learner.username for e in response.context["page"].object_list] == ["el-2"]


def test_reception_marks_the_ticked_learners_completed_and_the_learner_sees_it(
    client, reception, course, learners, access_begun
):
    client.force_login(reception)
    response = client.post(
        f"{URL}?course={course.pk}", {"state": "completed", "enrollment": [learners[0].pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?course={course.pk}"
    done = Enrollment.objects.get(pk=learners[0].pk)
    assert done.state == Enrollment.State.COMPLETED
    assert done.completed_on == learners[0].access_starts_on
    assert Enrollment.objects.get(pk=learners[1].pk).state == Enrollment.State.APPLIED
    assert AuditEntry.objects.filter(action="enrollment.attendance_marked").count() == 1

    client.force_login(done.learner)
    page = client.get("/account/enrollments/").content.decode()
    assert "修了" in page


def test_completion_before_access_begins_is_refused_with_a_message(
    client, reception, course, learners
):
    client.force_login(reception)
    response = client.post(
        f"{URL}?course={course.pk}",
        {"state": "completed", "enrollment": [learners[0].pk]},
        follow=True,
    )
    assert "まだ始まっていない" in response.content.decode()
    assert Enrollment.objects.get(pk=learners[0].pk).state == Enrollment.State.APPLIED


def test_an_enrolment_of_another_course_cannot_be_completed_here(
    client, reception, course, learners, apply, access_begun
):
    other = apply(UserFactory(), course=CourseFactory(elearning=True))
    client.force_login(reception)
    client.post(f"{URL}?course={course.pk}", {"state": "completed", "enrollment": [other.pk]})
    assert Enrollment.objects.get(pk=other.pk).state == Enrollment.State.APPLIED
