"""Fixtures of the request tests. ``organisation`` (株式会社サンプル), ``applicant``
(鈴木 人事), ``session`` (10 seats, fee 50,000 yen) and the movable ``clock``
(``clock.day(...)``) come from kenshu/conftest.py; here two learners, a purchase made
through the inventory services (``kenshu.core.testing.inventory_buy``) and an ``outbox``
helper."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kenshu.core.testing import group_colleague, inventory_buy
from kenshu.inventory.models import Seat
from kenshu.requests.models import (
    CancellationRequest,
    DateChangeRequest,
    LearnerChangeRequest,
    RequestState,
)


@pytest.fixture
def colleague(organisation):
    """高橋 学 (``takahashi``), a group learner of the same organisation."""
    return group_colleague(organisation, username="takahashi")


@pytest.fixture
def colleague2(organisation):
    """伊藤 恵, another group learner of the same organisation."""
    return group_colleague(
        organisation,
        username="ito",
        email="ito@sample.example.jp",
        last_name="伊藤",
        first_name="恵",
        last_name_kana="イトウ",
        first_name_kana="メグミ",
    )


def seats_of(item) -> list[Seat]:
    return list(Seat.objects.filter(item=item).order_by("pk"))


@pytest.fixture
def item(applicant, session, colleague, django_capture_on_commit_callbacks):
    """2 seats of ``session`` bought by ``applicant``; the first assigned to ``colleague``.
    The purchase's and assignment's emails are sent and cleared."""
    with django_capture_on_commit_callbacks(execute=True):
        bought = inventory_buy(applicant, session, 2, assign_to=[colleague])
    mail.outbox.clear()
    return bought


def make_rows(seat, applicant, n: int, *, open_every: int = 0):
    """``n`` requests of the three kinds about ``seat`` (decided ones; open ones would
    collide with the one-open-request rules), as the services would have stored them."""
    now = timezone.now()
    for i in range(n):
        common = {
            "requester": applicant,
            "contact_date": dt.date(2026, 5, 1) + dt.timedelta(days=i % 20),
            "state": RequestState.DONE,
            "decided_at": now - dt.timedelta(hours=i),
        }
        kind = i % 3
        if kind == 0:
            CancellationRequest.objects.create(
                seat=seat, item=seat.item, course_code="ILC1234", course_title="研修", **common
            )
        elif kind == 1:
            LearnerChangeRequest.objects.create(
                seat=seat, new_learner_name="伊藤 恵", new_learner_email="ito@example.jp", **common
            )
        else:
            DateChangeRequest.objects.create(enrollment=seat.enrollment, **common)


@pytest.fixture
def outbox():
    """``outbox()``: the emails sent so far as (recipient, subject)."""

    def sent():
        return [(m.to[0], m.subject) for m in mail.outbox]

    return sent
