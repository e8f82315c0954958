"""Template helpers of the catalogue pages.

- ``{{ fee|with_tax }}``: a tax-exclusive fee in yen with 10 % consumption tax.
- ``{{ course|lead_days }}``: days from applying to the start of e-learning access.
- ``{% session_times session %}``: "10:00〜17:00" (Asia/Tokyo), or "10:00〜4月16日(木) 17:00"
  for a session that ends on another day.
"""

from django import template

from kenshu.catalog import display
from kenshu.catalog.selectors import elearning_lead_days, fee_with_tax

register = template.Library()


@register.filter
def with_tax(fee) -> int:
    return fee_with_tax(int(fee))


@register.filter
def lead_days(course) -> int:
    """Days from applying to the start of e-learning access for ``course`` (R-ELEARN-1)."""
    return elearning_lead_days(is_partner=course.is_partner)


@register.simple_tag
def session_times(session) -> str:
    """The start and end times of ``session`` in the active time zone (Asia/Tokyo)."""
    return display.session_times(session)
