"""Requests: created by the customer (or by staff on its behalf), decided by staff.

One module per kind; each service is keyword-only and one transaction (create or
decide, audit, queue the emails). ``docs/requests.md`` describes them.
"""

from .cancellation import (
    cancellation_request_create,
    cancellation_request_process,
    cancellation_request_quote,
)
from .common import queue_decided_email, queue_received_emails
from .date_change import date_change_request_create, date_change_request_process
from .learner_change import learner_change_request_create, learner_change_request_process
from .reject import request_reject
from .type_change import type_change_request_create, type_change_request_decide

#: The former name, kept for callers of the type-change issue.
_queue_received_emails = queue_received_emails

__all__ = [
    "cancellation_request_create",
    "cancellation_request_process",
    "cancellation_request_quote",
    "date_change_request_create",
    "date_change_request_process",
    "learner_change_request_create",
    "learner_change_request_process",
    "queue_decided_email",
    "queue_received_emails",
    "request_reject",
    "type_change_request_create",
    "type_change_request_decide",
]
