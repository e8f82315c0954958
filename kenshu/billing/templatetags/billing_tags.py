"""Template helpers of the billing pages.

- ``{{ amount|yen }}``: an integer amount of yen as "¥54,000", or "-¥22,000" for a
  credit note's negative amounts.
"""

from django import template

register = template.Library()


@register.filter
def yen(amount) -> str:
    if amount is None or amount == "":
        return ""
    value = int(amount)
    return f"-¥{-value:,}" if value < 0 else f"¥{value:,}"
