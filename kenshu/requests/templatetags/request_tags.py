"""Template helpers of requests: kind labels (emails, lists) and ISO dates from contexts."""

import datetime as dt

from django import template

from kenshu.requests.models import RequestKind

register = template.Library()


@register.filter
def request_kind_label(kind: str) -> str:
    """``type_change`` → 種別変更依頼 (in the active language); unknown kinds as they are."""
    try:
        return RequestKind(kind).label
    except ValueError:
        return kind


@register.filter
def iso_date(value):
    """``"2026-11-28"`` (as an email context stores it) → a date, for ``|date``."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return value
