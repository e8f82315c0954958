"""The waiting list of a full session (DOMAIN.md §4, §13).

waiting → offered (holds a seat until ``offer_expires_at``) → accepted (the user
applied: ``enrollment_apply``) / expired / withdrawn.

- ``waiting_list_join``: only when the session is full; position = last + 1.
- ``waiting_list_offer_next``: call whenever a seat frees (a cancellation, a
  withdrawn or expired offer, more capacity). Under the session lock, while
  seats are free and someone waits, the first waiting entry is offered a seat
  for ``KENSHU_WAITING_LIST_OFFER_HOURS`` (default 48) hours, never past the
  application deadline, and emailed the apply link.
- ``waiting_list_expire_offers``: offers past their expiry → expired, then the
  next person is offered (``manage.py expire_waiting_list_offers``).
- ``waiting_list_withdraw``: the user (or staff) leaves the list.
- ``waiting_list_move``: staff reorder the waiting entries (audited).
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.audit.services import audit_log
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import NotPermitted
from kenshu.core.locking import lock_rows

from ..exceptions import AlreadyApplied, AlreadyWaiting, NotWaiting, SeatsAvailable
from ..models import WaitingListEntry
from ..seats import seats_taken
from .checks import check_session_open, has_live_enrollment, session_refusal
from .emails import queue_waiting_list_offer

OPEN_STATES = (WaitingListEntry.State.WAITING, WaitingListEntry.State.OFFERED)
MOVE_PERMISSION = "enrollments.change_waitinglistentry"


def offer_hours() -> int:
    return int(getattr(settings, "KENSHU_WAITING_LIST_OFFER_HOURS", 48))


def _lock_session(session: Session) -> Session:
    (locked,) = lock_rows(Session.objects.all(), [session.pk])
    return locked


def waiting_list_join(*, actor, session: Session) -> WaitingListEntry:
    """``actor`` joins the waiting list of the full ``session``.

    Raises ``NotPermitted``, ``SessionCancelled`` / ``ApplicationClosed``,
    ``AlreadyApplied``, ``AlreadyWaiting`` or ``SeatsAvailable`` (apply instead).
    """
    policy.require(actor, Action.APPLY_FOR_SELF)
    now = ktime.now()
    with transaction.atomic():
        session = _lock_session(session)
        check_session_open(session, now=now)
        if has_live_enrollment(learner=actor, session=session):
            raise AlreadyApplied()
        if WaitingListEntry.objects.filter(
            session=session, user=actor, state__in=OPEN_STATES
        ).exists():
            raise AlreadyWaiting()
        if seats_taken([session.pk])[session.pk] < session.capacity:
            raise SeatsAvailable()
        last = WaitingListEntry.objects.filter(session=session).aggregate(m=Max("position"))["m"]
        entry = WaitingListEntry(session=session, user=actor, position=(last or 0) + 1)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError as exc:
            raise AlreadyWaiting() from exc
        audit_log(
            actor=actor,
            action="waiting_list.joined",
            target=entry,
            data={"session": session.pk, "position": entry.position},
        )
    return entry


def waiting_list_offer_next(*, session: Session, now: dt.datetime | None = None) -> list:
    """Offer free seats of ``session`` to the first people waiting; return the offers.

    Takes (or re-enters) the session's lock. Offers already past their expiry
    are marked expired first, so their seats are offered again. A cancelled or
    closed session offers nothing.
    """
    now = now or ktime.now()
    offered = []
    with transaction.atomic():
        session = _lock_session(session)
        _expire_offers_of(session=session, now=now)
        if session_refusal(session, now=now) is not None:
            return offered
        free = session.capacity - seats_taken([session.pk])[session.pk]
        if free <= 0:
            return offered
        waiting = list(
            WaitingListEntry.objects.filter(session=session, state=WaitingListEntry.State.WAITING)
            .select_related("user", "session__course")
            .order_by("position", "pk")[:free]
        )
        expires_at = min(now + dt.timedelta(hours=offer_hours()), session.deadline)
        for entry in waiting:
            entry.state = WaitingListEntry.State.OFFERED
            entry.offered_at = now
            entry.offer_expires_at = expires_at
            entry.save(update_fields=["state", "offered_at", "offer_expires_at"])
            audit_log(
                actor=None,
                action="waiting_list.offered",
                target=entry,
                data={"session": session.pk, "expires_at": expires_at.isoformat()},
            )
            queue_waiting_list_offer(entry=entry)
            offered.append(entry)
    return offered


def _expire_offers_of(*, session: Session, now: dt.datetime) -> int:
    stale = list(
        WaitingListEntry.objects.filter(
            session=session, state=WaitingListEntry.State.OFFERED, offer_expires_at__lte=now
        )
    )
    for entry in stale:
        entry.state = WaitingListEntry.State.EXPIRED
        entry.save(update_fields=["state"])
        audit_log(actor=None, action="waiting_list.offer_expired", target=entry)
    return len(stale)


def waiting_list_expire_offers(now: dt.datetime | None = None) -> int:
    """Expire every offer past its time and offer those seats to the next people.

    One transaction per session. Returns how many offers expired.
    """
    now = now or ktime.now()
    session_ids = sorted(
        set(
            WaitingListEntry.objects.filter(
                state=WaitingListEntry.State.OFFERED, offer_expires_at__lte=now
            ).values_list("session_id", flat=True)
        )
    )
    expired = 0
    for session in Session.objects.filter(pk__in=session_ids).order_by("pk"):
        with transaction.atomic():
            session = _lock_session(session)
            expired += _expire_offers_of(session=session, now=now)
            waiting_list_offer_next(session=session, now=now)
    return expired


def waiting_list_withdraw(*, actor, entry: WaitingListEntry) -> WaitingListEntry:
    """The user leaves the list (or staff take it off); a held seat goes to the next."""
    if actor.pk != entry.user_id and not (actor.is_staff and actor.has_perm(MOVE_PERMISSION)):
        raise NotPermitted()
    with transaction.atomic():
        session = _lock_session(entry.session)
        entry = WaitingListEntry.objects.get(pk=entry.pk)
        if entry.state not in OPEN_STATES:
            raise NotWaiting()
        held_seat = entry.state == WaitingListEntry.State.OFFERED
        entry.state = WaitingListEntry.State.WITHDRAWN
        entry.save(update_fields=["state"])
        audit_log(
            actor=actor,
            action="waiting_list.withdrawn",
            target=entry,
            data={"session": session.pk, "held_seat": held_seat},
        )
        if held_seat:
            waiting_list_offer_next(session=session)
    return entry


def waiting_list_move(*, actor, entry: WaitingListEntry, position: int) -> WaitingListEntry:
    """Staff put a waiting entry at ``position`` (1 = first) among the waiting entries.

    The others keep their order; the position numbers already used are reused in
    the new order. Audited as ``waiting_list.moved``.
    """
    if not (actor.is_staff and actor.is_active and actor.has_perm(MOVE_PERMISSION)):
        raise NotPermitted()
    with transaction.atomic():
        session = _lock_session(entry.session)
        waiting = list(
            WaitingListEntry.objects.filter(
                session=session, state=WaitingListEntry.State.WAITING
            ).order_by("position", "pk")
        )
        current = next((e for e in waiting if e.pk == entry.pk), None)
        if current is None:
            raise NotWaiting()
        numbers = [e.position for e in waiting]
        old_rank = waiting.index(current) + 1
        new_rank = min(max(int(position), 1), len(waiting))
        waiting.remove(current)
        waiting.insert(new_rank - 1, current)
        for number, item in zip(sorted(numbers), waiting, strict=True):
            if item.position != number:
                item.position = number
                item.save(update_fields=["position"])
        audit_log(
            actor=actor,
            action="waiting_list.moved",
            target=current,
            data={"session": session.pk, "from": old_rank, "to": new_rank},
        )
    return current
