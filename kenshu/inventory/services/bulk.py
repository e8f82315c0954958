"""Bulk assignment from a file of learners (R-APPLY-2, issue 5 §4).

``bulk_preview`` says, row by row, what would happen (an existing learner of the group,
a new learner to create and invite, or an error with its reason) and saves nothing.
``seats_assign_bulk`` applies the rows in one transaction: it locks the purchase's
unassigned seats, runs the same checks again on the data as it is now, and assigns
every row or, if any row has an error, none (``BulkRowsInvalid`` carries the preview).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kenshu.accounts.models import User
from kenshu.audit.services import audit_log
from kenshu.core import time as ktime
from kenshu.core.exceptions import DomainError
from kenshu.core.locking import lock_rows
from kenshu.enrollments.models import Enrollment

from ..bulkfile import BulkRow
from ..exceptions import BulkFileError, BulkRowsInvalid
from ..models import InventoryItem, Seat
from .assign import assign_locked_seat, check_assigner, check_learner_free
from .learners import LearnerData, clean_learner_data, learner_create, learner_match


@dataclass
class RowPreview:
    EXISTING, NEW, ERROR = "existing", "new", "error"

    row: BulkRow
    status: str
    learner: User | None = None
    data: LearnerData | None = None
    error: str = ""

    @property
    def name(self) -> str:
        if self.learner is not None:
            return self.learner.full_name or self.learner.username
        return self.data.full_name if self.data else self.row.name

    @property
    def user_id(self) -> str:
        if self.learner is not None:
            return self.learner.username
        return self.data.username if self.data else self.row.user_id


def split_name(value: str) -> tuple[str, str]:
    """「山田 太郎」 / 「山田　太郎」 → (山田, 太郎); a name without a space is the family name."""
    parts = (value or "").split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def row_data(row: BulkRow) -> LearnerData:
    last, first = split_name(row.name)
    last_kana, first_kana = split_name(row.kana)
    return LearnerData(last, first, last_kana, first_kana, row.email, row.user_id)


def bulk_preview(*, actor, item: InventoryItem, rows: list[BulkRow]) -> list[RowPreview]:
    """What each row would do (nothing is saved). Also used inside the apply transaction."""
    check_assigner(actor=actor, item=item)
    applicant = item.applicant
    previews: list[RowPreview] = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.error:
            previews.append(RowPreview(row, RowPreview.ERROR, error=row.error))
            continue
        try:
            data = clean_learner_data(row_data(row))
            match = learner_match(applicant=applicant, data=data)
            if match.user is not None:
                check_learner_free(learner=match.user, item=item)
        except DomainError as exc:
            previews.append(RowPreview(row, RowPreview.ERROR, error=str(exc)))
            continue
        keys = [f"email:{data.email.casefold()}"]
        keys.append(f"user:{match.user.pk}" if match.user else f"id:{match.data.username}")
        twice = next((seen[k] for k in keys if k in seen), None)
        if twice is not None:
            previews.append(
                RowPreview(
                    row,
                    RowPreview.ERROR,
                    data=match.data,
                    error=str(
                        _("This learner is already on row %(line)s of the file: one seat each.")
                        % {"line": twice}
                    ),
                )
            )
            continue
        for key in keys:
            seen[key] = row.line
        status = RowPreview.NEW if match.is_new else RowPreview.EXISTING
        previews.append(RowPreview(row, status, learner=match.user, data=match.data))
    return previews


def seats_assign_bulk(*, actor, item: InventoryItem, rows: list[BulkRow]) -> list[Enrollment]:
    """Assign one unassigned seat of ``item`` to each row's learner, all or nothing.

    Raises ``BulkFileError`` (more rows than unassigned seats), ``BulkRowsInvalid``
    (some rows are wrong: nothing was saved) or the refusals of ``seat_assign``.
    """
    if not rows:
        raise BulkFileError(_("The file lists no learners (only a header row)."))
    now = ktime.now()
    with transaction.atomic():
        item = InventoryItem.objects.select_related(
            "applicant", "applicant__organisation", "organisation", "course", "session", "order"
        ).get(pk=item.pk)
        as_staff = check_assigner(actor=actor, item=item)
        seats = lock_rows(Seat.objects.filter(item=item, state=Seat.State.UNASSIGNED))
        if len(rows) > len(seats):
            raise BulkFileError(
                _(
                    "The file lists %(rows)s learners but this purchase has only %(seats)s "
                    "unassigned seats now."
                ),
                rows=len(rows),
                seats=len(seats),
            )
        previews = bulk_preview(actor=actor, item=item, rows=rows)
        if any(p.status == RowPreview.ERROR for p in previews):
            raise BulkRowsInvalid(previews)
        enrollments = []
        for preview, seat in zip(previews, seats, strict=False):
            learner = preview.learner or learner_create(
                actor=actor, applicant=item.applicant, data=preview.data
            )
            enrollments.append(
                assign_locked_seat(
                    actor=actor, seat=seat, item=item, learner=learner, now=now, as_staff=as_staff
                )
            )
        audit_log(
            actor=actor,
            action="seat.bulk_assigned",
            target=item,
            data={
                "rows": len(rows),
                "new_learners": sum(p.status == RowPreview.NEW for p in previews),
            },
        )
    return enrollments
