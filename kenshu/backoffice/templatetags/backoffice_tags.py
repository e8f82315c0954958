"""Template helpers of the staff area: payment states, fill rates, links to objects."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy

from kenshu.backoffice.selectors.sessions import (
    CREDITED,
    NO_INVOICE,
    OVERDUE,
    PAID,
    UNPAID,
    fill_percent,
)

register = template.Library()

PAYMENT_LABELS = {
    PAID: pgettext_lazy("payment state", "Paid"),
    UNPAID: pgettext_lazy("payment state", "Awaiting payment"),
    OVERDUE: pgettext_lazy("payment state", "Overdue"),
    CREDITED: pgettext_lazy("payment state", "Credited"),
    NO_INVOICE: pgettext_lazy("payment state", "No invoice"),
}
PAYMENT_BADGES = {
    PAID: "text-bg-success",
    UNPAID: "text-bg-warning",
    OVERDUE: "text-bg-danger",
    CREDITED: "text-bg-secondary",
    NO_INVOICE: "text-bg-light border",
}

#: Staff pages of the objects emails and audit entries are about: (app, model) →
#: (url name, attribute of the id). Others are shown by name and number only.
OBJECT_PAGES = {
    ("catalog", "session"): "backoffice:session_detail",
    ("accounts", "user"): "backoffice:user_detail",
    ("notifications", "outboxemail"): "backoffice:email_detail",
    ("requests", "typechangerequest"): "backoffice:type_change_request_detail",
}

#: How the numbers of some objects are written elsewhere (E00000012, P00000003).
OBJECT_NUMBERS = {
    ("enrollments", "enrollment"): "E{:08d}",
    ("inventory", "inventoryitem"): "P{:08d}",
    ("billing", "order"): "A{:08d}",
}


@register.filter
def payment_label(state: str) -> str:
    return str(PAYMENT_LABELS.get(state, state))


@register.filter
def payment_badge(state: str) -> str:
    return PAYMENT_BADGES.get(state, "text-bg-light")


@register.filter
def percent_of(taken, capacity) -> int:
    return fill_percent(int(taken or 0), int(capacity or 0))


@register.simple_tag
def object_ref(content_type, object_id):
    """``{"label": "セッション #12", "url": "/staff/sessions/12/" or ""}`` for a content type
    (already fetched with the row) and an id; an empty label without a type."""
    if content_type is None or not object_id:
        return {"label": "", "url": ""}
    key = (content_type.app_label, content_type.model)
    model = content_type.model_class()
    name = str(model._meta.verbose_name) if model else content_type.model
    number_format = OBJECT_NUMBERS.get(key)
    number = f"#{object_id}"
    if number_format and str(object_id).isdigit():
        number = number_format.format(int(object_id))
    url = ""
    if key in OBJECT_PAGES and str(object_id).isdigit():
        try:
            url = reverse(OBJECT_PAGES[key], args=[int(object_id)])
        except NoReverseMatch:
            url = ""
    return {"label": f"{name} {number}", "url": url}


@register.filter
def yen_amount(value) -> str:
    """¥1,234 (negative: -¥1,234)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    sign = "-" if number < 0 else ""
    return f"{sign}¥{abs(number):,}"
