"""/account/requests/ (R-ACCT-5): the user's own requests with state, contact date,
decision and reason; paginated; nobody else's."""

import datetime as dt

import pytest
from django.utils import timezone

from kenshu.core.testing import UserFactory, make_type_change_request
from kenshu.requests.models import RequestState
from kenshu.requests.views import MY_REQUESTS_PER_PAGE

pytestmark = pytest.mark.django_db

URL = "/account/requests/"


def keys(rows) -> list[tuple[str, int]]:
    """The listed requests as (kind, number): the list mixes every kind."""
    return [(row.kind, row.pk) for row in rows]


def test_the_page_is_mounted_at_account_requests_in_the_requests_namespace():
    from django.urls import reverse

    assert reverse("requests:my_requests") == URL
    assert reverse("requests:type_change") == "/requests/type-change/"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/account/requests/")


def test_the_user_sees_its_requests_with_state_contact_date_decision_and_reason(client):
    user = UserFactory(corporate=True)
    clerk = UserFactory(staff=True)
    make_type_change_request(
        user,
        state=RequestState.REJECTED,
        decided_by=clerk,
        decided_at=timezone.now(),
        decision_reason="ご所属の確認が取れませんでした。",
    )
    make_type_change_request(user, contact_date=dt.date(2026, 6, 1))
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "種別変更依頼" in html
    assert "2026年5月11日" in html and "2026年6月1日" in html
    assert "却下" in html and "受付中" in html
    assert "ご所属の確認が取れませんでした。" in html
    assert clerk.username not in html  # staff names are not shown to customers


def test_the_user_sees_only_its_own_requests(client):
    user, other = UserFactory(corporate=True), UserFactory(corporate=True)
    mine = make_type_change_request(user)
    make_type_change_request(other, message="他の人の依頼")
    client.force_login(user)
    response = client.get(URL)
    assert keys(response.context["page"].object_list) == [("type_change", mine.pk)]
    assert "他の人の依頼" not in response.content.decode()


def test_a_user_without_requests_is_told_so(client):
    client.force_login(UserFactory())
    html = client.get(URL).content.decode()
    assert "ご依頼はまだありません" in html


def test_the_list_is_paginated_newest_first(client):
    user = UserFactory(corporate=True)
    made = [
        make_type_change_request(user, state=RequestState.REJECTED)
        for _ in range(MY_REQUESTS_PER_PAGE + 1)
    ]
    client.force_login(user)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == MY_REQUESTS_PER_PAGE
    assert keys(first.context["page"].object_list)[0] == ("type_change", made[-1].pk)
    second = client.get(URL, {"page": 2})
    assert keys(second.context["page"].object_list) == [("type_change", made[0].pk)]
    assert 'rel="prev"' in second.content.decode()


def test_a_corporate_user_gets_a_link_to_the_request_form_others_do_not(client):
    client.force_login(UserFactory(corporate=True))
    assert 'href="/requests/type-change/"' in client.get(URL).content.decode()
    client.force_login(UserFactory(group_learner=True))
    assert 'href="/requests/type-change/"' not in client.get(URL).content.decode()


def test_every_kind_of_request_is_listed_with_what_it_is_about(client, applicant, item):
    from .conftest import make_rows, seats_of

    make_rows(seats_of(item)[0], applicant, 3)
    client.force_login(applicant)
    response = client.get(URL)
    rows = response.context["page"].object_list
    assert {row.kind for row in rows} == {"cancellation", "learner_change", "date_change"}
    html = response.content.decode()
    for label in ("申し込みキャンセル依頼", "受講者変更依頼", "日程変更依頼"):
        assert label in html
    assert "伊藤 恵" in html and "ILC1234" in html


@pytest.mark.parametrize("rows", [3, 45])
def test_the_list_costs_the_same_number_of_queries_for_few_and_many_requests(
    client, applicant, item, django_assert_num_queries, rows
):
    from .conftest import make_rows, seats_of

    make_rows(seats_of(item)[0], applicant, rows)
    client.force_login(applicant)
    # session, user, count, page (one UNION of the four kinds)
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == min(rows, MY_REQUESTS_PER_PAGE)
