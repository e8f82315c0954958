"""Services of inventory (ARCHITECTURE.md §1, §5, §6): keyword-only, each one
transaction, audited, emails through the outbox.

- ``purchase``: ``inventory_purchase`` (R-APPLY-2, R-APPLY-3).
- ``learners``: ``learner_invite``, ``learner_invitation_resend``,
  ``learner_invitation_accept`` (a new colleague's account and its invitation).
- ``assign``: ``seat_assign``, ``seat_assign_colleague``, ``seat_unassign``,
  ``seat_reassign`` (R-APPLY-5, R-ELEARN-2).
- ``bulk``: ``bulk_preview``, ``seats_assign_bulk`` (all rows or none).
- ``refusals``: ``inventory_action_refused`` (R-TYPE: audited refusals).
"""

from .assign import seat_assign, seat_assign_colleague, seat_reassign, seat_unassign
from .bulk import bulk_preview, seats_assign_bulk
from .learners import learner_invitation_accept, learner_invitation_resend, learner_invite
from .purchase import inventory_purchase
from .refusals import inventory_action_refused

__all__ = [
    "bulk_preview",
    "inventory_action_refused",
    "inventory_purchase",
    "learner_invitation_accept",
    "learner_invitation_resend",
    "learner_invite",
    "seat_assign",
    "seat_assign_colleague",
    "seat_reassign",
    "seat_unassign",
    "seats_assign_bulk",
]
