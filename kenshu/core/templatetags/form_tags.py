"""Template helpers of the site-wide form includes (kenshu/templates/includes/).

- ``{% error_anchor field %}``: the id of the element an error-summary link
  should jump to (the first radio of a radio group, the answer box of a CAPTCHA).
"""

from django import template

register = template.Library()


@register.simple_tag
def error_anchor(field) -> str:
    """The id an error-summary link points at, so that it lands on a focusable input."""
    return field.id_for_label or f"{field.auto_id}_0"
