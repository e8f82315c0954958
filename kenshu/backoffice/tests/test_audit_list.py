"""/staff/audit/ (DOMAIN.md §11): the audit trail, searchable by actor, action (its
start), target type and id, and date range (Asia/Tokyo days); paginated."""

import datetime as dt

import pytest

from kenshu.audit.models import AuditEntry
from kenshu.audit.services import audit_log
from kenshu.core.testing import UserFactory
from kenshu.core.time import tokyo_datetime

pytestmark = pytest.mark.django_db

URL = "/staff/audit/"


@pytest.fixture
def trail(session, reception, administrator):
    customer = UserFactory(username="customer1", last_name="顧客")
    entries = {
        "applied": audit_log(actor=customer, action="enrollment.applied", target=session),
        "confirmed": audit_log(actor=administrator, action="session.confirmed", target=session),
        "type": audit_log(actor=reception, action="user.type_changed", target=customer),
        "system": audit_log(actor=None, action="email.dispatched"),
    }
    # 2026-05-10 23:30 JST is 14:30 UTC; 2026-05-11 00:30 JST is 15:30 UTC on the 10th.
    AuditEntry.objects.filter(pk=entries["applied"].pk).update(
        created_at=tokyo_datetime(dt.date(2026, 5, 10), 23, 30)
    )
    AuditEntry.objects.filter(pk=entries["confirmed"].pk).update(
        created_at=tokyo_datetime(dt.date(2026, 5, 11), 0, 30)
    )
    return {**entries, "customer": customer}


def shown(client, **params) -> set[int]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return {e.pk for e in response.context["page"].object_list}


def test_the_trail_lists_who_did_what_to_what(client, accountant, trail, session):
    client.force_login(accountant)
    response = client.get(URL)
    html = response.content.decode()
    for text in ["enrollment.applied", "session.confirmed", "user.type_changed", "システム"]:
        assert text in html, text
    assert f'href="/staff/sessions/{session.pk}/"' in html
    assert f'href="/staff/users/{trail["customer"].pk}/"' in html


def test_the_trail_is_searched_by_actor(client, accountant, trail, administrator):
    client.force_login(accountant)
    assert shown(client, q=administrator.username) == {trail["confirmed"].pk}
    assert shown(client, q="顧客") == {trail["applied"].pk}
    assert shown(client, q="-") == {trail["system"].pk}


def test_the_trail_is_searched_by_the_start_of_the_action(client, accountant, trail):
    client.force_login(accountant)
    assert shown(client, action="session.") == {trail["confirmed"].pk}
    assert shown(client, action="user.type_changed") == {trail["type"].pk}
    assert shown(client, action="nothing.") == set()


def test_the_trail_is_searched_by_target(client, accountant, trail, session):
    client.force_login(accountant)
    assert shown(client, target_type="catalog.session") == {
        trail["applied"].pk,
        trail["confirmed"].pk,
    }
    assert shown(client, target_type="accounts.user", target_id=trail["customer"].pk) == {
        trail["type"].pk
    }
    assert shown(client, target_type="catalog.session", target_id="999999") == set()


def test_the_trail_is_searched_by_tokyo_days(client, accountant, trail):
    client.force_login(accountant)
    assert shown(client, date_from="2026-05-10", date_to="2026-05-10") == {trail["applied"].pk}
    assert shown(client, date_from="2026-05-11", date_to="2026-05-11") == {trail["confirmed"].pk}


def test_an_unknown_target_type_is_a_form_error(client, accountant, trail):
    client.force_login(accountant)
    response = client.get(URL, {"target_type": "nope.nothing"})
    assert "target_type" in response.context["form"].errors
    assert response.context["page"].paginator.count == 4  # unfiltered


def test_the_trail_is_paginated_at_50_with_a_fixed_number_of_queries(
    client, accountant, django_assert_num_queries
):
    actor = UserFactory()
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor=actor, action="test.entry", data={"i": i}) for i in range(120)]
    )
    client.force_login(accountant)
    with django_assert_num_queries(6):
        response = client.get(URL, {"page": 2})
    assert len(response.context["page"].object_list) == 50
