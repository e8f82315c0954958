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
    assert "/staff/emails/?state=failed" in html


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


# --- sessions, requests by kind, charts, overdue invoices (issue 8) -----------------------


@pytest.fixture
def business(session, apply, buy, group, administrator, django_capture_on_commit_callbacks):
    """Today's session with one application; the ILC1234 session (30 days ahead) with two
    applications and 3 seats bought; an overdue invoice; an open cancellation request."""
    from kenshu.billing.models import Invoice
    from kenshu.core.testing import SessionFactory, UserFactory
    from kenshu.core.time import tokyo_date
    from kenshu.requests.models import CancellationRequest

    today = SessionFactory(starts_on=tokyo_date(), start_hour=23, course__code="TODAY1")
    first = apply(UserFactory(), session)
    apply(UserFactory(), session)
    item = buy(group["applicant"], session, 3)
    Invoice.objects.filter(order=first.order).update(due_on=tokyo_date() - dt.timedelta(days=3))
    CancellationRequest.objects.create(
        requester=group["applicant"],
        item=item,
        contact_date=tokyo_date() - dt.timedelta(days=4),
        course_code="ILC1234",
        course_title="ビジネス文書研修",
    )
    return {"today": today, "session": session, "first": first}


def test_the_dashboard_shows_todays_sessions_and_this_weeks(client, reception, business):
    client.force_login(reception)
    figures = client.get(URL).context["figures"]
    assert [s.pk for s in figures.today_sessions] == [business["today"].pk]
    assert business["today"].pk in [s.pk for s in figures.week_sessions]
    assert business["session"].pk not in [s.pk for s in figures.week_sessions]


def test_the_dashboard_shows_open_requests_by_kind_with_their_age(client, reception, business):
    client.force_login(reception)
    response = client.get(URL)
    queues = {q.kind: q for q in response.context["figures"].request_queues}
    assert queues["cancellation"].count == 1
    assert queues["cancellation"].age_days == 4
    assert queues["cancellation"].url == "/staff/requests/"
    assert queues["type_change"].count == 0
    html = response.content.decode()
    assert "キャンセル依頼" in html and 'href="/staff/requests/"' in html


def test_the_dashboard_shows_overdue_invoices(client, accountant, business):
    client.force_login(accountant)
    response = client.get(URL)
    figures = response.context["figures"]
    assert figures.overdue_invoices == 1
    assert figures.overdue_total == business["first"].fee * 110 // 100
    assert 'href="/staff/invoices/?state=overdue"' in response.content.decode()


def test_seats_sold_and_revenue_by_month_count_this_month(client, accountant, business):
    from kenshu.billing.models import Invoice
    from kenshu.core.time import tokyo_date

    client.force_login(accountant)
    response = client.get(URL)
    months = response.context["figures"].months
    assert len(months) == 12
    this_month = months[-1]
    assert this_month.month == tokyo_date().replace(day=1)
    assert this_month.seats == 2 + 3  # two applications, three seats bought
    issued = Invoice.objects.filter(issued_on__gte=this_month.month)
    assert this_month.revenue == sum(i.subtotal for i in issued) > 0


def test_a_credit_note_subtracts_from_the_revenue_of_its_month(client, accountant, business):
    from kenshu.cancellation.services import enrollment_cancel

    client.force_login(accountant)
    before = client.get(URL).context["figures"].months[-1]
    first = business["first"]
    enrollment_cancel(actor=first.learner, enrollment=first)  # free: 30 days ahead
    after = client.get(URL).context["figures"].months[-1]
    assert after.revenue == before.revenue - first.fee
    assert after.seats == before.seats - 1


def test_the_charts_are_inline_svg_with_tooltips_and_a_table(client, reception, business):
    client.force_login(reception)
    response = client.get(URL)
    html = response.content.decode()
    assert html.count('<svg class="chart-svg"') == 3
    assert "<title>" in html and "<polyline" in html and "<rect" in html
    assert "表で見る" in html
    fill = {f.code: f for f in response.context["figures"].course_fill}
    assert fill["ILC1234"].taken == 5 and fill["ILC1234"].capacity == 20
    assert fill["ILC1234"].percent == 25
    assert "cdn" not in html.lower()


def test_the_dashboard_costs_a_fixed_number_of_queries(
    client, administrator, business, django_assert_max_num_queries
):
    client.force_login(administrator)
    with django_assert_max_num_queries(30):
        client.get(URL)
