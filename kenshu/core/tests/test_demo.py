"""The demo data of `make run` (Foundation issue)."""

import pytest
from django.utils import timezone

from kenshu.accounts.models import User
from kenshu.catalog.models import Course, Session
from kenshu.core.demo import DEMO_PASSWORD, DEMO_USERS, demo_data_load
from kenshu.core.models import ClosureDay

pytestmark = pytest.mark.django_db


def test_loading_the_demo_data_twice_creates_nothing_the_second_time():
    first = demo_data_load()
    counts = (User.objects.count(), Course.objects.count(), Session.objects.count())
    second = demo_data_load()
    assert all(first.values())
    assert set(second.values()) == {0}
    assert (User.objects.count(), Course.objects.count(), Session.objects.count()) == counts


def test_the_demo_has_one_user_of_each_type_and_a_staff_user():
    demo_data_load()
    customer_types = set(User.objects.filter(is_staff=False).values_list("user_type", flat=True))
    assert customer_types == set(User.UserType.values)
    staff = User.objects.get(is_staff=True)
    assert staff.groups.filter(name="administrator").exists()


def test_every_demo_user_can_log_in_with_the_listed_password(client):
    demo_data_load()
    for demo in DEMO_USERS:
        response = client.post(
            "/accounts/login/", {"login": demo.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, demo.username
        client.post("/accounts/logout/")


def test_the_demo_catalogue_has_every_delivery_type_a_partner_course_and_future_sessions():
    demo_data_load()
    assert set(Course.objects.values_list("delivery", flat=True)) == set(Course.Delivery.values)
    assert Course.objects.filter(is_partner=True).exists()
    assert Session.objects.filter(starts_at__gt=timezone.now()).count() >= 8


def test_the_demo_holds_the_new_year_closure_days():
    demo_data_load()
    today = timezone.localdate()
    closure = ClosureDay.objects.filter(date__year=today.year, date__month=12, date__day=29)
    assert closure.exists()


def test_the_demo_shows_a_full_session_with_a_waiting_list_an_elearning_enrolment_and_a_payment():
    from kenshu.billing.models import Invoice
    from kenshu.enrollments.models import Enrollment, WaitingListEntry
    from kenshu.enrollments.seats import seats_left

    demo_data_load()
    small = Session.objects.filter(course__code="ILC1001").order_by("starts_at").first()
    assert seats_left([small])[small.pk] == 0
    assert WaitingListEntry.objects.filter(session=small, state="waiting").count() == 1
    elearning = Enrollment.objects.get(course__code="ELN3001")
    assert elearning.access_starts_on is not None
    assert Invoice.objects.filter(state="paid").count() == 1
    assert Invoice.objects.count() == Enrollment.objects.count()
