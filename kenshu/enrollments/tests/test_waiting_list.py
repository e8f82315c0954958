"""The waiting list of a full session (DOMAIN.md §4, §13): join when full, offer a freed
seat by email, the hold counts as taken, expiry → the next person, accept within the
hold, withdraw, staff reorder (audited)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kenshu.audit.models import AuditEntry
from kenshu.core.exceptions import NotPermitted
from kenshu.core.testing import SessionFactory, UserFactory, make_staff
from kenshu.enrollments.exceptions import (
    AlreadyApplied,
    AlreadyWaiting,
    NotWaiting,
    SeatsAvailable,
    SessionFull,
)
from kenshu.enrollments.models import Enrollment, WaitingListEntry
from kenshu.enrollments.seats import seats_left, seats_taken
from kenshu.enrollments.services import (
    enrollment_apply,
    waiting_list_expire_offers,
    waiting_list_join,
    waiting_list_move,
    waiting_list_offer_next,
    waiting_list_withdraw,
)
from kenshu.notifications.services import outbox_dispatch_due

pytestmark = pytest.mark.django_db

S = WaitingListEntry.State


@pytest.fixture
def full_session(db):
    """A 2-seat session with both seats taken."""
    session = SessionFactory(capacity=2, course__code="WL100", course__title="待機研修")
    for _ in range(2):
        enrollment_apply(actor=UserFactory(), session=session)
    return session


def free_a_seat(session):
    """As a cancellation would: the enrolment stops holding its seat."""
    enrollment = Enrollment.objects.filter(session=session, state="applied").first()
    enrollment.state = Enrollment.State.CANCELLED
    enrollment.save()


def test_a_user_joins_the_waiting_list_of_a_full_session_at_the_end(full_session):
    first, second = UserFactory(), UserFactory()
    a = waiting_list_join(actor=first, session=full_session)
    b = waiting_list_join(actor=second, session=full_session)
    assert (a.position, b.position) == (1, 2)
    assert a.state == b.state == S.WAITING
    assert AuditEntry.objects.filter(action="waiting_list.joined").count() == 2


def test_the_waiting_list_is_only_for_a_full_session(session, learner):
    with pytest.raises(SeatsAvailable):
        waiting_list_join(actor=learner, session=session)


def test_a_user_is_on_the_waiting_list_once(full_session, learner):
    waiting_list_join(actor=learner, session=full_session)
    with pytest.raises(AlreadyWaiting):
        waiting_list_join(actor=learner, session=full_session)


def test_an_enrolled_learner_does_not_join_the_waiting_list(full_session):
    enrolled = Enrollment.objects.filter(session=full_session).first().learner
    with pytest.raises(AlreadyApplied):
        waiting_list_join(actor=enrolled, session=full_session)


def test_a_group_learner_may_not_join_the_waiting_list(full_session):
    with pytest.raises(NotPermitted):
        waiting_list_join(actor=UserFactory(group_learner=True), session=full_session)


def test_a_freed_seat_is_offered_to_the_first_person_waiting_by_email(full_session):
    first, second = UserFactory(email="first@example.jp"), UserFactory()
    waiting_list_join(actor=first, session=full_session)
    waiting_list_join(actor=second, session=full_session)
    free_a_seat(full_session)

    (offer,) = waiting_list_offer_next(session=full_session)
    assert offer.user == first and offer.state == S.OFFERED
    hold = offer.offer_expires_at - offer.offered_at
    assert hold == dt.timedelta(hours=48)
    assert WaitingListEntry.objects.get(user=second).state == S.WAITING

    outbox_dispatch_due()
    (message,) = [m for m in mail.outbox if m.to == ["first@example.jp"]]
    assert "WL100" in message.subject
    assert f"/apply/session/{full_session.pk}/" in message.body


def test_the_hold_lasts_the_configured_hours_and_never_past_the_deadline(full_session, settings):
    settings.KENSHU_WAITING_LIST_OFFER_HOURS = 24
    waiting_list_join(actor=UserFactory(), session=full_session)
    free_a_seat(full_session)
    (offer,) = waiting_list_offer_next(session=full_session)
    assert offer.offer_expires_at - offer.offered_at == dt.timedelta(hours=24)

    soon = SessionFactory(capacity=1, deadline=timezone.now() + dt.timedelta(hours=5))
    enrollment_apply(actor=UserFactory(), session=soon)
    waiting_list_join(actor=UserFactory(), session=soon)
    free_a_seat(soon)
    (offer,) = waiting_list_offer_next(session=soon)
    assert offer.offer_expires_at == soon.deadline


def test_an_open_offer_holds_its_seat_against_everyone_else(full_session, learner):
    waiting_list_join(actor=UserFactory(), session=full_session)
    free_a_seat(full_session)
    waiting_list_offer_next(session=full_session)
    assert seats_taken([full_session.pk])[full_session.pk] == 2
    assert seats_left([full_session]) == {full_session.pk: 0}
    with pytest.raises(SessionFull):
        enrollment_apply(actor=learner, session=full_session)


def test_the_person_offered_the_seat_takes_it_by_applying_within_the_hold(full_session):
    waiter = UserFactory()
    waiting_list_join(actor=waiter, session=full_session)
    free_a_seat(full_session)
    waiting_list_offer_next(session=full_session)

    enrollment = enrollment_apply(actor=waiter, session=full_session)

    assert enrollment.learner == waiter
    assert WaitingListEntry.objects.get(user=waiter).state == S.ACCEPTED
    assert seats_taken([full_session.pk])[full_session.pk] == 2  # not 3


def test_someone_waiting_who_finds_a_free_seat_takes_it_and_leaves_the_list(full_session):
    """A seat can be free while people wait (staff raised the capacity): whoever of them
    applies takes it, and is no longer waiting (no offer will come for it)."""
    waiter = UserFactory()
    waiting_list_join(actor=waiter, session=full_session)
    full_session.capacity += 1
    full_session.save(update_fields=["capacity"])

    enrollment_apply(actor=waiter, session=full_session)

    assert WaitingListEntry.objects.get(user=waiter).state == S.ACCEPTED


def test_an_expired_offer_goes_to_the_next_person_waiting(full_session):
    first, second = UserFactory(), UserFactory(email="second@example.jp")
    waiting_list_join(actor=first, session=full_session)
    waiting_list_join(actor=second, session=full_session)
    free_a_seat(full_session)
    (offer,) = waiting_list_offer_next(session=full_session)

    assert waiting_list_expire_offers(now=offer.offer_expires_at - dt.timedelta(seconds=1)) == 0
    later = offer.offer_expires_at + dt.timedelta(seconds=1)
    assert waiting_list_expire_offers(now=later) == 1

    assert WaitingListEntry.objects.get(user=first).state == S.EXPIRED
    nxt = WaitingListEntry.objects.get(user=second)
    assert nxt.state == S.OFFERED and nxt.offered_at == later
    outbox_dispatch_due()
    assert any(m.to == ["second@example.jp"] for m in mail.outbox)


def test_after_its_expiry_the_first_person_can_no_longer_claim_the_held_seat(full_session):
    first = UserFactory()
    waiting_list_join(actor=first, session=full_session)
    waiting_list_join(actor=UserFactory(), session=full_session)
    free_a_seat(full_session)
    (offer,) = waiting_list_offer_next(session=full_session)
    waiting_list_expire_offers(now=offer.offer_expires_at + dt.timedelta(seconds=1))
    with pytest.raises(SessionFull):
        enrollment_apply(actor=first, session=full_session)


def test_the_expire_command_expires_offers_and_offers_the_next(full_session):
    first, second = UserFactory(), UserFactory()
    waiting_list_join(actor=first, session=full_session)
    waiting_list_join(actor=second, session=full_session)
    free_a_seat(full_session)
    waiting_list_offer_next(session=full_session)
    WaitingListEntry.objects.filter(user=first).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    call_command("expire_waiting_list_offers")
    assert WaitingListEntry.objects.get(user=first).state == S.EXPIRED
    assert WaitingListEntry.objects.get(user=second).state == S.OFFERED


def test_no_seat_is_offered_while_the_session_is_full_or_closed(full_session):
    waiting_list_join(actor=UserFactory(), session=full_session)
    assert waiting_list_offer_next(session=full_session) == []
    free_a_seat(full_session)
    full_session.state = "cancelled"
    full_session.save()
    assert waiting_list_offer_next(session=full_session) == []


def test_a_user_withdraws_and_a_held_seat_goes_to_the_next(full_session):
    first, second = UserFactory(), UserFactory()
    a = waiting_list_join(actor=first, session=full_session)
    waiting_list_join(actor=second, session=full_session)
    free_a_seat(full_session)
    waiting_list_offer_next(session=full_session)

    waiting_list_withdraw(actor=first, entry=a)

    assert WaitingListEntry.objects.get(pk=a.pk).state == S.WITHDRAWN
    assert WaitingListEntry.objects.get(user=second).state == S.OFFERED
    with pytest.raises(NotWaiting):
        waiting_list_withdraw(actor=first, entry=a)
    with pytest.raises(NotPermitted):
        waiting_list_withdraw(actor=UserFactory(), entry=WaitingListEntry.objects.get(user=second))


def test_staff_reorder_the_waiting_list_and_the_move_is_audited(full_session):
    from kenshu.accounts import roles

    users = [UserFactory() for _ in range(3)]
    entries = [waiting_list_join(actor=u, session=full_session) for u in users]
    clerk = make_staff(roles.RECEPTION)

    waiting_list_move(actor=clerk, entry=entries[2], position=1)

    order = list(
        WaitingListEntry.objects.filter(session=full_session)
        .order_by("position", "pk")
        .values_list("user", flat=True)
    )
    assert order == [users[2].pk, users[0].pk, users[1].pk]
    audit = AuditEntry.objects.get(action="waiting_list.moved")
    assert audit.actor == clerk and audit.data["from"] == 3 and audit.data["to"] == 1

    free_a_seat(full_session)
    (offer,) = waiting_list_offer_next(session=full_session)
    assert offer.user == users[2]


def test_only_staff_with_the_change_permission_reorder(full_session):
    from kenshu.accounts import roles

    entry = waiting_list_join(actor=UserFactory(), session=full_session)
    for actor in (UserFactory(), make_staff(roles.ACCOUNTING)):
        with pytest.raises(NotPermitted):
            waiting_list_move(actor=actor, entry=entry, position=1)
