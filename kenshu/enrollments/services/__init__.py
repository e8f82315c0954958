"""Services of enrolments and the waiting list (ARCHITECTURE.md §1, §5, §6).

Keyword-only, each one transaction: lock → re-count → write, audit and queue the
emails in the same transaction.
"""

from .apply import enrollment_apply
from .waiting_list import (
    waiting_list_expire_offers,
    waiting_list_join,
    waiting_list_move,
    waiting_list_offer_next,
    waiting_list_withdraw,
)

__all__ = [
    "enrollment_apply",
    "waiting_list_expire_offers",
    "waiting_list_join",
    "waiting_list_move",
    "waiting_list_offer_next",
    "waiting_list_withdraw",
]
