"""Cancelling (DOMAIN.md §6, §9): the services other apps call (docs/cancellation.md).

- ``cancellation_preview``: what cancelling costs as of a contact date (reads only).
- ``enrollment_cancel``: a customer (or staff) cancels one enrolment.
- ``seats_cancel``: staff cancel inventory seats, charged as of the contact date.
- ``session_cancel`` / ``session_cancel_preview``: the provider cancels a session.
- ``closure_days_add`` / ``closure_day_remove``: the closure calendar.
"""

from .closures import closure_day_remove, closure_days_add
from .common import CancellationOutcome, SessionCancelOutcome
from .enrollment import AlreadyCancelled, InventoryPlace, NotCancellable, enrollment_cancel
from .preview import CancellationPreview, PreviewLine, cancellation_preview
from .seats import SeatAlreadyCancelled, seats_cancel
from .session import SessionCancelRecipient, session_cancel, session_cancel_preview

__all__ = [
    "AlreadyCancelled",
    "CancellationOutcome",
    "CancellationPreview",
    "InventoryPlace",
    "NotCancellable",
    "PreviewLine",
    "SeatAlreadyCancelled",
    "SessionCancelOutcome",
    "SessionCancelRecipient",
    "cancellation_preview",
    "closure_day_remove",
    "closure_days_add",
    "enrollment_cancel",
    "seats_cancel",
    "session_cancel",
    "session_cancel_preview",
]
