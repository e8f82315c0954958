"""/staff/: a small dashboard (DOMAIN.md §11): open type-change requests with their
age, the count of emails that could not be sent, links; each part only for staff
whose role may see what it shows."""

import datetime as dt

import pytest

from kenshu.core import time as kenshu_time
from kenshu.core.testing import NO_ROLE, make_staff, make_type_change_request
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import RequestState

pytestmark = pytest.mark.django_db

URL = "/staff/"


@pytest.fixture
def figures(monkeypatch):
    monkeypatch.setattr(kenshu_time, "now", lambda: dt.datetime(2026, 5, 20, 3, 0, tzinfo=dt.UTC))
    oldest = make_type_change_request(contact_date=dt.date(2026, 5, 13))
    make_type_change_request(contact_date=dt.date(2026, 5, 19))
    make_type_change_request(state=RequestState.DONE)
    for state in [OutboxEmail.State.FAILED, OutboxEmail.State.FAILED, OutboxEmail.State.SENT]:
        OutboxEmail.objects.create(template="welcome", to_email="a@example.jp", state=state)
    return oldest


def test_reception_sees_the_open_requests_with_their_age_and_the_failed_emails(
    client, reception, figures
):
    client.force_login(reception)
    response = client.get(URL)
    assert response.status_code == 200
    dashboard = response.context["figures"]
    assert dashboard.open_type_change_requests == 2
    assert dashboard.oldest_open_type_change_requests[0] == figures
    assert dashboard.failed_emails == 2
    html = response.content.decode()
    assert "受付中の種別変更依頼" in html
    assert "7日" in html
    assert f'href="/staff/requests/type-change/{figures.pk}/"' in html
    assert "/admin/notifications/outboxemail/?state__exact=failed" in html


def test_accounting_sees_the_failed_emails_but_not_the_requests(client, accountant, figures):
    client.force_login(accountant)
    response = client.get(URL)
    dashboard = response.context["figures"]
    assert dashboard.open_type_change_requests is None
    assert dashboard.oldest_open_type_change_requests == []
    assert dashboard.failed_emails == 2
    assert "/staff/requests/type-change/" not in response.content.decode()


def test_staff_without_a_role_see_no_figures_and_are_told_to_ask_for_a_role(client, figures):
    client.force_login(make_staff(NO_ROLE))
    response = client.get(URL)
    assert response.status_code == 200
    dashboard = response.context["figures"]
    assert dashboard.open_type_change_requests is None
    assert dashboard.failed_emails is None
    assert "管理者にご依頼ください" in response.content.decode()


def test_the_staff_menu_lists_only_the_pages_the_role_may_open(client, accountant, reception):
    client.force_login(accountant)
    html = client.get(URL).content.decode()
    assert 'href="/staff/users/"' in html
    assert 'href="/staff/requests/type-change/"' not in html
    client.force_login(reception)
    html = client.get(URL).content.decode()
    assert 'href="/staff/requests/type-change/"' in html
    assert 'aria-current="page">ダッシュボード' in html
