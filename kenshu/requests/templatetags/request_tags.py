"""Template helpers of requests: kind labels (emails, lists), ISO dates from contexts, yen."""

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


@register.filter(expects_localtime=False)
def iso_datetime(value):
    """``"2026-05-11T01:00:00+00:00"`` → an aware datetime (``|date`` shows it in
    Asia/Tokyo); anything else as it is."""
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return value


@register.filter
def yen(value) -> str:
    """12345 → 「12,345円」 ("12,345 yen")."""
    from django.utils.translation import gettext

    try:
        amount = int(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return gettext("%(amount)s yen") % {"amount": f"{amount:,}"}
