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
    assert list(response.context["page"].object_list) == [mine]
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
    assert first.context["page"].object_list[0] == made[-1]
    second = client.get(URL, {"page": 2})
    assert list(second.context["page"].object_list) == [made[0]]
    assert 'rel="prev"' in second.content.decode()


def test_a_corporate_user_gets_a_link_to_the_request_form_others_do_not(client):
    client.force_login(UserFactory(corporate=True))
    assert 'href="/requests/type-change/"' in client.get(URL).content.decode()
    client.force_login(UserFactory(group_learner=True))
    assert 'href="/requests/type-change/"' not in client.get(URL).content.decode()
