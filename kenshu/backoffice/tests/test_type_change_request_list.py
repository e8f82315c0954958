"""/staff/requests/type-change/ (R-TYPE-4, DOMAIN.md §11 "request queues with the
contact date"): open requests first, the oldest contact date first, with their
age; decided ones after, most recently decided first; filter by state; paginated."""

import datetime as dt

import pytest
from django.utils import timezone

from kenshu.core import time as kenshu_time
from kenshu.core.testing import UserFactory, make_type_change_request
from kenshu.requests.models import RequestState

pytestmark = pytest.mark.django_db

URL = "/staff/requests/type-change/"


@pytest.fixture
def today(monkeypatch):
    """Tokyo's calendar pinned to 2026-05-20 (the age of a request is counted from it)."""
    day = dt.date(2026, 5, 20)
    monkeypatch.setattr(kenshu_time, "now", lambda: dt.datetime(2026, 5, 20, 3, 0, tzinfo=dt.UTC))
    return day


def decided(state, days_ago: int, **fields):
    return make_type_change_request(
        state=state, decided_at=timezone.now() - dt.timedelta(days=days_ago), **fields
    )


def test_open_requests_come_first_oldest_contact_date_first_then_the_decided_ones(
    client, reception, today
):
    late = make_type_change_request(contact_date=dt.date(2026, 5, 19))
    early = make_type_change_request(contact_date=dt.date(2026, 5, 1))
    old_decision = decided(RequestState.DONE, days_ago=10, contact_date=dt.date(2026, 4, 1))
    new_decision = decided(RequestState.REJECTED, days_ago=1, contact_date=dt.date(2026, 4, 2))
    client.force_login(reception)

    response = client.get(URL)

    assert list(response.context["page"].object_list) == [early, late, new_decision, old_decision]


def test_the_age_of_open_requests_is_shown_in_days_and_long_waits_stand_out(
    client, reception, today
):
    make_type_change_request(contact_date=dt.date(2026, 5, 1))  # 19 days
    make_type_change_request(contact_date=dt.date(2026, 5, 20))  # today
    client.force_login(reception)
    html = client.get(URL).content.decode()
    assert "19日" in html
    assert "本日" in html
    assert "長期未対応" in html
    assert "2026年5月1日" in html


def test_the_queue_can_be_filtered_by_state(client, reception, today):
    open_one = make_type_change_request()
    decided(RequestState.DONE, days_ago=1)
    client.force_login(reception)
    response = client.get(URL, {"state": "open"})
    assert list(response.context["page"].object_list) == [open_one]
    assert client.get(URL, {"state": "rejected"}).context["page"].paginator.count == 0


def test_an_unknown_state_shows_every_request(client, reception, today):
    make_type_change_request()
    client.force_login(reception)
    response = client.get(URL, {"state": "bogus"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


def test_each_row_shows_the_customer_and_links_to_the_request(client, reception, today):
    customer = UserFactory(corporate=True, username="sato-corp", last_name="佐藤")
    request = make_type_change_request(customer)
    client.force_login(reception)
    html = client.get(URL).content.decode()
    assert "sato-corp" in html
    assert customer.organisation.name in html
    assert f'href="/staff/requests/type-change/{request.pk}/"' in html


def test_the_queue_is_paginated_by_50(client, reception, today):
    for _ in range(51):
        make_type_change_request(UserFactory(corporate=True))
    client.force_login(reception)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 50
    second = client.get(URL, {"page": 2, "state": "open"})
    assert len(second.context["page"].object_list) == 1
    assert 'href="?page=1&amp;state=open"' in second.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_the_queue_costs_the_same_number_of_queries_for_5_and_50_rows(
    client, reception, django_assert_num_queries, rows
):
    for i in range(rows):
        make_type_change_request(
            state=RequestState.OPEN if i % 2 else RequestState.DONE,
            decided_at=None if i % 2 else timezone.now(),
        )
    client.force_login(reception)
    # session, user, the user's and its groups' permissions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == rows
