"""Fixtures of the request tests: a group applicant of 株式会社サンプル with two
learners, a classroom session, purchases made through the inventory services, a
movable clock (``clock.day(...)``) and an ``outbox`` helper."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kenshu.core import time as ktime
from kenshu.core.testing import OrganisationFactory, SessionFactory, UserFactory
from kenshu.inventory.models import Seat
from kenshu.inventory.services import inventory_purchase, seat_assign
from kenshu.requests.models import (
    CancellationRequest,
    DateChangeRequest,
    LearnerChangeRequest,
    RequestState,
)


class Clock:
    """``kenshu.core.time.now`` pinned to a Tokyo day and hour (what every service
    reads as "today"), moved with ``day()``."""

    def __init__(self, monkeypatch):
        self.value = ktime.now()
        monkeypatch.setattr(ktime, "now", lambda: self.value)

    def day(self, day: dt.date, hour: int = 10) -> "Clock":
        self.value = ktime.tokyo_datetime(day, hour)
        return self

    @property
    def today(self) -> dt.date:
        return ktime.tokyo_date(self.value)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="株式会社サンプル", name_kana="サンプル")


@pytest.fixture
def applicant(organisation):
    """鈴木 人事 (``group-admin``), the group applicant (HR) of 株式会社サンプル."""
    return UserFactory(
        group_applicant=True,
        organisation=organisation,
        username="group-admin",
        email="jinji@sample.example.jp",
        last_name="鈴木",
        first_name="人事",
        last_name_kana="スズキ",
        first_name_kana="ジンジ",
    )


@pytest.fixture
def colleague(organisation):
    """高橋 学, a group learner of the same organisation."""
    return UserFactory(
        group_learner=True,
        organisation=organisation,
        username="takahashi",
        email="takahashi@sample.example.jp",
        last_name="高橋",
        first_name="学",
        last_name_kana="タカハシ",
        first_name_kana="マナブ",
    )


@pytest.fixture
def colleague2(organisation):
    """伊藤 恵, another group learner of the same organisation."""
    return UserFactory(
        group_learner=True,
        organisation=organisation,
        username="ito",
        email="ito@sample.example.jp",
        last_name="伊藤",
        first_name="恵",
        last_name_kana="イトウ",
        first_name_kana="メグミ",
    )


@pytest.fixture
def session(db):
    """An open classroom session 30 days ahead, 10 seats, fee 50,000 yen."""
    return SessionFactory(
        course__code="ILC1234", course__title="ビジネス文書研修", course__fee=50_000, capacity=10
    )


def buy(applicant, session, quantity: int = 2, assign=()):
    """``applicant`` buys ``quantity`` seats of ``session`` and assigns the first ones to
    the learners in ``assign`` — through the inventory services. Returns the purchase."""
    item = inventory_purchase(actor=applicant, session=session, quantity=quantity)
    seats = list(Seat.objects.filter(item=item).order_by("pk"))
    for seat, learner in zip(seats, assign, strict=False):
        seat_assign(actor=applicant, seat=seat, learner=learner)
    return item


def seats_of(item) -> list[Seat]:
    return list(Seat.objects.filter(item=item).order_by("pk"))


@pytest.fixture
def item(applicant, session, colleague, django_capture_on_commit_callbacks):
    """2 seats of ``session`` bought by ``applicant``; the first assigned to ``colleague``.
    The purchase's and assignment's emails are sent and cleared."""
    with django_capture_on_commit_callbacks(execute=True):
        bought = buy(applicant, session, 2, assign=[colleague])
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
