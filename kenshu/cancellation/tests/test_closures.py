"""The staff closure calendar (issue 6 item 8): list by year, add a day or a range
(12/29–1/3), remove after a confirmation; audited; the quote counts a change at once."""

import datetime as dt

import pytest

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.cancellation.selectors import quote_for, tier_schedule_for
from kenshu.cancellation.services import (
    cancellation_preview,
    closure_day_remove,
    closure_days_add,
)
from kenshu.core.exceptions import DomainError, NotPermitted
from kenshu.core.models import ClosureDay
from kenshu.core.testing import NO_ROLE, ClosureDayFactory, SessionFactory, make_staff
from kenshu.core.time import tokyo_date

from .helpers import apply, first_day_after_business_days

pytestmark = pytest.mark.django_db

URL = "/staff/cancellation/closures/"
CLASSROOM = [
    {"min_days_before": 8, "rate": 0, "unit": "business_days"},
    {"min_days_before": 3, "rate": 50, "unit": "business_days"},
    {"min_days_before": 0, "rate": 100, "unit": "business_days"},
]


def closed() -> list[dt.date]:
    return list(ClosureDay.objects.order_by("date").values_list("date", flat=True))


# --- services ---------------------------------------------------------------------------


def test_a_range_closes_every_day_of_it_once(administrator):
    ClosureDayFactory(date=dt.date(2026, 12, 31), reason="大晦日")
    added = closure_days_add(
        actor=administrator,
        start=dt.date(2026, 12, 29),
        end=dt.date(2027, 1, 3),
        reason="年末年始休業",
    )
    assert [day.date for day in added] == [
        dt.date(2026, 12, 29),
        dt.date(2026, 12, 30),
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 2),
        dt.date(2027, 1, 3),
    ]
    assert closed() == [dt.date(2026, 12, 29) + dt.timedelta(days=n) for n in range(6)]
    assert ClosureDay.objects.get(date=dt.date(2026, 12, 31)).reason == "大晦日"  # kept
    entry = AuditEntry.objects.get(action="closure_days.added")
    assert entry.actor == administrator
    assert entry.data["already_closed"] == ["2026-12-31"]
    assert len(entry.data["dates"]) == 5


def test_a_reversed_or_too_long_range_is_refused(administrator):
    with pytest.raises(DomainError):
        closure_days_add(actor=administrator, start=dt.date(2027, 1, 3), end=dt.date(2026, 12, 29))
    with pytest.raises(DomainError):
        closure_days_add(actor=administrator, start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 1))
    assert closed() == []


def test_removing_a_day_is_audited(administrator):
    day = ClosureDayFactory(date=dt.date(2026, 8, 14), reason="夏季休業")
    closure_day_remove(actor=administrator, closure_day=day)
    assert closed() == []
    entry = AuditEntry.objects.get(action="closure_day.removed")
    assert entry.data == {"date": "2026-08-14", "reason": "夏季休業"}


@pytest.mark.parametrize("role", [roles.RECEPTION, roles.ACCOUNTING, NO_ROLE])
def test_only_administrators_change_the_calendar(role):
    staff = make_staff(role)
    day = ClosureDayFactory(date=dt.date(2026, 8, 14))
    with pytest.raises(NotPermitted):
        closure_days_add(actor=staff, start=dt.date(2026, 8, 13))
    with pytest.raises(NotPermitted):
        closure_day_remove(actor=staff, closure_day=day)
    assert closed() == [dt.date(2026, 8, 14)]


def test_a_closure_day_added_changes_the_quote_at_once(administrator):
    first_day = dt.date(2027, 1, 7)
    contact = dt.date(2026, 12, 24)
    before = quote_for(tiers=CLASSROOM, first_day=first_day, contact_date=contact, amount=100_000)
    assert (before.days_before, before.rate) == (9, 0)

    closure_days_add(
        actor=administrator, start=dt.date(2026, 12, 29), end=dt.date(2027, 1, 3), reason="年末年始"
    )

    after = quote_for(tiers=CLASSROOM, first_day=first_day, contact_date=contact, amount=100_000)
    assert (after.days_before, after.rate, after.fee) == (6, 50, 50_000)
    windows = tier_schedule_for(tiers=CLASSROOM, first_day=first_day)
    assert windows[0].ends_on == dt.date(2026, 12, 22)

    closure_day_remove(actor=administrator, closure_day=ClosureDay.objects.get(date="2026-12-29"))
    again = quote_for(tiers=CLASSROOM, first_day=first_day, contact_date=contact, amount=100_000)
    assert again.days_before == 7


def test_a_closure_day_added_changes_a_cancellation_preview_at_once(administrator, learner):
    first_day = first_day_after_business_days(8)  # free today
    enrollment = apply(learner, SessionFactory(starts_on=first_day))
    assert cancellation_preview(enrollment=enrollment).rate == 0
    # Close the next business day: today is now 7 business days before.
    day = tokyo_date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    closure_days_add(actor=administrator, start=day)

    preview = cancellation_preview(enrollment=enrollment)
    assert (preview.days_before, preview.rate) == (7, 50)


# --- pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.RECEPTION, 200), (roles.ACCOUNTING, 403), (roles.ADMINISTRATOR, 200), (NO_ROLE, 403)],
)
def test_staff_with_core_view_closureday_see_the_calendar(client, role, status):
    client.force_login(make_staff(role))
    assert client.get(URL).status_code == status


def test_customers_are_refused_and_visitors_sent_to_log_in(client, learner):
    assert client.get(URL).status_code == 302
    client.force_login(learner)
    assert client.get(URL).status_code == 403
    assert client.post(URL + "add/", {"start": "2026-08-14"}).status_code == 403


def test_the_list_shows_the_days_of_the_year_asked(client, reception):
    ClosureDayFactory(date=dt.date(2026, 12, 29), reason="年末年始休業")
    ClosureDayFactory(date=dt.date(2027, 1, 2), reason="年始")
    client.force_login(reception)
    page = client.get(URL, {"year": 2026})
    assert [d.date for d in page.context["page"].object_list] == [dt.date(2026, 12, 29)]
    html = page.content.decode()
    assert "年末年始休業" in html
    assert "/remove/" not in html  # reception may look, not remove
    assert "/staff/cancellation/closures/add/" not in html


@pytest.mark.parametrize("days", [1, 20])
def test_the_list_costs_the_same_number_of_queries_for_1_and_20_days(
    client, administrator, django_assert_num_queries, days
):
    for n in range(days):
        ClosureDayFactory(date=dt.date(2026, 1, 1) + dt.timedelta(days=n))
    client.force_login(administrator)
    # session, user, the user's and its groups' permissions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL, {"year": 2026})
    assert len(response.context["page"].object_list) == days


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.RECEPTION, 403), (roles.ACCOUNTING, 403), (roles.ADMINISTRATOR, 302)],
)
def test_adding_a_range_from_the_page(client, role, status):
    client.force_login(make_staff(role))
    response = client.post(
        URL + "add/", {"start": "2026-12-29", "end": "2027-01-03", "reason": "年末年始休業"}
    )
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == URL + "?year=2026"
        assert len(closed()) == 6
    else:
        assert closed() == []


def test_a_bad_range_is_answered_on_the_form(client, administrator):
    client.force_login(administrator)
    response = client.post(URL + "add/", {"start": "2027-01-03", "end": "2026-12-29"})
    assert response.status_code == 200
    assert response.context["form"].errors["end"]
    assert closed() == []


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [(roles.RECEPTION, 403, 403), (roles.ACCOUNTING, 403, 403), (roles.ADMINISTRATOR, 200, 302)],
)
def test_removing_asks_for_a_confirmation_first(client, role, get, post):
    day = ClosureDayFactory(date=dt.date(2026, 8, 14))
    client.force_login(make_staff(role))
    assert client.get(f"{URL}{day.pk}/remove/").status_code == get
    assert client.post(f"{URL}{day.pk}/remove/", {"confirm": "on"}).status_code == post
    assert closed() == ([] if post == 302 else [dt.date(2026, 8, 14)])


def test_removing_without_the_confirmation_keeps_the_day(client, administrator):
    day = ClosureDayFactory(date=dt.date(2026, 8, 14))
    client.force_login(administrator)
    response = client.post(f"{URL}{day.pk}/remove/", {})
    assert response.status_code == 200
    assert closed() == [dt.date(2026, 8, 14)]
