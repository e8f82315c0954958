"""The demo inventory (``load_inventory_demo``): 3 seats bought by ``group-admin``, one
assigned to ``group-learner``; loading it again changes nothing."""

import pytest

from kenshu.core.testing import SessionFactory
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.demo import load_inventory_demo
from kenshu.inventory.models import InventoryItem, Seat

pytestmark = pytest.mark.django_db


def test_the_demo_purchase_is_made_once(applicant, colleague):
    SessionFactory(capacity=20)
    users = {"group-admin": applicant, "group-learner": colleague}

    assert load_inventory_demo(users) == 1
    assert load_inventory_demo(users) == 0

    item = InventoryItem.objects.get()
    assert item.applicant == applicant and item.quantity == 3
    assert list(item.seats.values_list("state", flat=True).order_by("pk")) == [
        Seat.State.ASSIGNED,
        Seat.State.UNASSIGNED,
        Seat.State.UNASSIGNED,
    ]
    assert Enrollment.objects.get().learner == colleague


def test_without_a_session_with_room_the_demo_buys_nothing(applicant, colleague):
    SessionFactory(capacity=2)
    assert load_inventory_demo({"group-admin": applicant, "group-learner": colleague}) == 0
    assert not InventoryItem.objects.exists()
