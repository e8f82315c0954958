"""Staff pages of a session's enrolments (DOMAIN.md §11), under /staff/sessions/."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.backoffice.access import require_perms, staff_required
from kenshu.catalog.models import Session
from kenshu.core.exceptions import DomainError

from . import selectors, services
from .forms import WaitingListMoveForm
from .models import WaitingListEntry
from .seats import seats_taken
from .services.waiting_list import MOVE_PERMISSION


@staff_required("enrollments.view_waitinglistentry")
@require_http_methods(["GET", "POST"])
def waiting_list(request, pk: int):
    """/staff/sessions/<id>/waiting-list/: the list in order; move an entry up or down
    (``enrollments.change_waitinglistentry``)."""
    try:
        session = selectors.session_for_staff(pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        require_perms(request.user, MOVE_PERMISSION)
        form = WaitingListMoveForm(request.POST)
        if form.is_valid():
            _move(request, session=session, form=form)
        else:
            messages.error(request, _("Please choose an entry and a direction."))
        return redirect("enrollments_staff:waiting_list", pk=session.pk)

    entries = selectors.waiting_list_for_staff(session=session)
    waiting = [e for e in entries if e.state == WaitingListEntry.State.WAITING]
    for rank, entry in enumerate(waiting, start=1):
        entry.rank = rank
    return render(
        request,
        "backoffice/enrollments/waiting_list.html",
        {
            "session": session,
            "entries": entries,
            "waiting_count": len(waiting),
            "seats_taken": seats_taken([session.pk])[session.pk],
            "may_move": request.user.has_perm(MOVE_PERMISSION),
        },
    )


def _move(request, *, session: Session, form: WaitingListMoveForm) -> None:
    waiting = list(
        WaitingListEntry.objects.filter(
            session=session, state=WaitingListEntry.State.WAITING
        ).order_by("position", "pk")
    )
    entry = next((e for e in waiting if e.pk == form.cleaned_data["entry"]), None)
    if entry is None:
        messages.error(request, _("This entry is no longer waiting: the list has changed."))
        return
    rank = waiting.index(entry) + 1
    step = -1 if form.cleaned_data["direction"] == WaitingListMoveForm.UP else 1
    try:
        services.waiting_list_move(actor=request.user, entry=entry, position=rank + step)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s is now No. %(rank)s on the waiting list.")
            % {"name": entry.user, "rank": min(max(rank + step, 1), len(waiting))},
        )
