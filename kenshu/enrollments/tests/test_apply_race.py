"""R-APPLY-3 on PostgreSQL: real threads, real row locks. Seats are never oversold,
whatever the concurrency, and the invoice numbers of the orders have no gaps.

Skipped on SQLite (its writers are serialised by the database lock anyway).
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from kenshu.billing.models import Invoice
from kenshu.core.exceptions import Busy
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.enrollments.exceptions import AlreadyApplied, SessionFull
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services import enrollment_apply

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls):
    """Run each callable in its own thread, all released at once; return the outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            call()
            outcomes[index] = "applied"
        except SessionFull:
            outcomes[index] = "full"
        except AlreadyApplied:
            outcomes[index] = "already"
        except Busy:
            outcomes[index] = "busy"
        except Exception as exc:  # reported by the assertion on the outcomes
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_r_apply_3_fifty_threads_race_for_the_last_five_seats_and_exactly_five_win():
    session = SessionFactory(capacity=8)
    for _ in range(3):
        enrollment_apply(actor=UserFactory(), session=session)
    racers = [UserFactory() for _ in range(50)]

    outcomes = race(
        [lambda user=user: enrollment_apply(actor=user, session=session) for user in racers]
    )

    counts = Counter(outcomes)
    assert counts == {"applied": 5, "full": 45}, counts  # no Busy with a 5 s lock timeout
    live = Enrollment.objects.filter(session=session, state=Enrollment.State.APPLIED)
    assert live.count() == 8
    assert seats_taken([session.pk])[session.pk] == 8
    winners = set(live.values_list("learner_id", flat=True))
    assert len(winners & {u.pk for u in racers}) == 5

    numbers = sorted(
        int(number.rsplit("-", 1)[1])
        for number in Invoice.objects.filter(kind=Invoice.Kind.INVOICE).values_list(
            "number", flat=True
        )
    )
    assert numbers == list(range(numbers[0], numbers[0] + 8)), numbers  # gapless
    assert Invoice.objects.count() == 8  # nothing was left behind by the 45 refusals


def test_r_apply_1_one_user_racing_itself_for_a_session_gets_one_enrolment():
    session = SessionFactory(capacity=20)
    user = UserFactory()
    outcomes = race([lambda: enrollment_apply(actor=user, session=session)] * 10)
    assert Counter(outcomes) == {"applied": 1, "already": 9}
    assert Enrollment.objects.filter(learner=user).count() == 1


def test_r_apply_1_one_user_racing_itself_for_an_elearning_course_gets_one_enrolment():
    """No session to lock: the partial unique constraint decides, and the loser's order
    and invoice number roll back with it (no gap)."""
    course = CourseFactory(elearning=True)
    user = UserFactory()
    outcomes = race([lambda: enrollment_apply(actor=user, course=course)] * 10)
    assert Counter(outcomes) == {"applied": 1, "already": 9}
    assert Enrollment.objects.filter(learner=user).count() == 1
    assert Invoice.objects.count() == 1
    assert Invoice.objects.get().number.endswith("-000001")


def test_r_apply_3_the_same_race_as_deployed_invoices_after_commit_without_gaps(settings):
    """As deployed (the database task backend) the 50 applications commit without their
    invoices; then they are completed, two completions at once for each (two
    ``complete_applications`` loops): one invoice per order, numbers without a gap."""
    from kenshu.enrollments.services.completion import application_complete, applications_held

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    session = SessionFactory(capacity=8)
    for _ in range(3):
        enrollment_apply(actor=UserFactory(), session=session)
    racers = [UserFactory() for _ in range(50)]

    outcomes = race(
        [lambda user=user: enrollment_apply(actor=user, session=session) for user in racers]
    )

    assert Counter(outcomes) == {"applied": 5, "full": 45}
    assert not Invoice.objects.exists()
    ids = applications_held()
    assert sorted(ids) == sorted(Enrollment.objects.values_list("pk", flat=True))  # 8, no more
    race([lambda pk=pk: application_complete(enrollment_id=pk) for pk in ids + ids])
    numbers = sorted(
        int(n.rsplit("-", 1)[1]) for n in Invoice.objects.values_list("number", flat=True)
    )
    assert numbers == list(range(1, 9)), numbers
    assert Invoice.objects.values("order").distinct().count() == 8
