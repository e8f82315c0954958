"""Template helpers of the enrolment pages and emails.

- ``{{ 55000|yen }}`` → 55,000円 (¥55,000 in English).
- ``{{ "2026-05-18"|iso_date|date:"DATE_FORMAT" }}`` and ``{{ iso|iso_datetime|date:… }}``:
  dates kept as ISO strings in an email's context, back to dates for ``|date``.
- ``{{ "elearning"|delivery_label }}`` → eラーニング (in the active language).
"""

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from kenshu.catalog.models import Course

register = template.Library()


@register.filter
def yen(value) -> str:
    """An amount in yen with thousands separators."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return _("%(amount)s yen") % {"amount": f"{amount:,}"}


@register.filter
def iso_date(value):
    """``"2026-05-18"`` → a date; a date stays itself; anything else as it is."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return value


@register.filter(expects_localtime=False)
def iso_datetime(value):
    """``"2026-05-11T01:00:00+00:00"`` → an aware datetime (``|date`` shows it in
    Asia/Tokyo)."""
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return value


@register.filter
def delivery_label(code) -> str:
    try:
        return str(Course.Delivery(code).label)
    except ValueError:
        return "" if code is None else str(code)
