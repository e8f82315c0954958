"""Reception helpers (DOMAIN.md §11): /staff/people/?q= finds a person by user ID,
email, name, kana or company; the person's page shows everything about it: type,
organisation, enrolments, inventory, requests of every kind, invoices, emails."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenshu.core.testing import NO_ROLE, SessionFactory, UserFactory, make_staff
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import CancellationRequest, LearnerChangeRequest

pytestmark = pytest.mark.django_db


def test_one_match_opens_the_persons_page(client, reception, sato):
    client.force_login(reception)
    for q in ["sato-corp", "SATO@example.jp", "佐藤花子", "さとう", "サンプル"]:
        response = client.get("/staff/people/", {"q": q})
        assert response.status_code == 302, q
        assert response["Location"] == f"/staff/users/{sato.pk}/", q


def test_several_matches_open_the_user_list(client, reception, sato):
    UserFactory(last_name="佐藤", first_name="次郎", username="sato2")
    client.force_login(reception)
    response = client.get("/staff/people/", {"q": "佐藤"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/users/?q=%E4%BD%90%E8%97%A4"


def test_an_empty_search_opens_the_user_list(client, reception):
    client.force_login(reception)
    assert client.get("/staff/people/")["Location"] == "/staff/users/"


@pytest.fixture
def history(session, apply, buy, group):
    """The group applicant 鈴木 人事: it applied for itself, bought 3 seats (one assigned
    to 高橋 学), asked to cancel one and to change a learner; an email to it."""
    applicant = group["applicant"]
    own = apply(applicant, session)
    item = buy(applicant, session, 3, assign_to=group["learners"][:1])
    seat = item.seats.filter(state="assigned").get()
    CancellationRequest.objects.create(
        requester=applicant,
        item=item,
        seat=item.seats.filter(state="unassigned").first(),
        contact_date=session.starts_at.date(),
        course_code="ILC1234",
        course_title="ビジネス文書研修",
        learner_name="未割当",
    )
    LearnerChangeRequest.objects.create(
        requester=applicant,
        seat=seat,
        contact_date=session.starts_at.date(),
        current_learner_name="高橋 学",
        new_learner_name="高橋 光",
        new_learner_email="learner2@sample.example.jp",
    )
    OutboxEmail.objects.create(
        template="welcome", to_email=applicant.email, subject="ようこそ", state="sent"
    )
    return {"applicant": applicant, "own": own, "item": item, **group}


def test_the_persons_page_shows_everything_about_it(client, administrator, history):
    client.force_login(administrator)
    response = client.get(f"/staff/users/{history['applicant'].pk}/")
    assert response.status_code == 200
    context = response.context
    enrolment_learners = {e.learner.username for e in context["enrollments"].rows}
    assert enrolment_learners == {"group-admin", "group-learner1"}
    [purchase] = context["purchases"].rows
    assert (purchase.quantity, purchase.assigned, purchase.unassigned) == (3, 1, 2)
    assert {r.kind for r in context["other_requests"]} == {"cancellation", "learner_change"}
    assert len(context["invoices"].rows) == 2  # its application and its purchase
    html = response.content.decode()
    for text in [
        "法人グループ申込者",
        "株式会社サンプル",
        "ILC1234",
        purchase.number,
        "キャンセル依頼",
        "高橋 学 → 高橋 光",
        context["invoices"].rows[0].number,
        "ようこそ",
    ]:
        assert text in html, text


def test_the_learners_page_shows_the_place_it_was_given(client, reception, history):
    client.force_login(reception)
    learner = history["learners"][0]
    response = client.get(f"/staff/users/{learner.pk}/")
    [enrollment] = response.context["enrollments"].rows
    assert enrollment.source == "inventory"
    assert "鈴木 人事" in response.content.decode()  # applied by its group applicant
    assert {r.kind for r in response.context["other_requests"]} == {"learner_change"}


def test_each_part_shows_only_with_its_permission(client, history):
    clerk = make_staff(NO_ROLE)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(clerk)
    response = client.get(f"/staff/users/{history['applicant'].pk}/")
    assert response.status_code == 200
    for part in ["enrollments", "purchases", "other_requests", "invoices", "emails"]:
        assert response.context[part] is None, part


def test_the_persons_page_costs_the_same_for_a_long_history(client, administrator, history, apply):
    client.force_login(administrator)
    url = f"/staff/users/{history['applicant'].pk}/"
    before = len(_queries(client, url))
    for _ in range(5):
        apply(history["applicant"], SessionFactory())
    assert len(_queries(client, url)) == before


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return captured.captured_queries
