"""The audit trail for staff (DOMAIN.md §11): who did what to whom, when, searchable."""

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db.models import Q, QuerySet

from kenshu.audit.models import AuditEntry
from kenshu.core.time import tokyo_datetime

from .text import search_terms

#: The apps whose rows the audit trail is about.
AUDITED_APPS = (
    "accounts",
    "audit",
    "billing",
    "cancellation",
    "catalog",
    "core",
    "enrollments",
    "inventory",
    "migration",
    "notifications",
    "requests",
)


@cache
def target_types() -> tuple[tuple[str, str], ...]:
    """``("app_label.model", verbose name)`` of every model an entry may be about."""
    choices = []
    for label in AUDITED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            choices.append((f"{label}.{model._meta.model_name}", str(model._meta.verbose_name)))
    return tuple(sorted(choices, key=lambda c: c[0]))


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  #: words of the actor's user ID or name; "-" for the system
    action: str = ""  #: the start of the dotted action ("enrollment." or "enrollment.cancelled")
    target_type: str = ""  #: "app_label.model"
    target_id: str = ""
    date_from: dt.date | None = None  #: Asia/Tokyo days, both included
    date_to: dt.date | None = None


def audit_search(filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Audit entries matching every given filter, newest first."""
    entries = AuditEntry.objects.select_related("actor", "target_type")
    if filters.actor.strip() == "-":
        entries = entries.filter(actor__isnull=True)
    else:
        for term in search_terms(filters.actor):
            entries = entries.filter(
                Q(actor__username__icontains=term)
                | Q(actor__last_name__icontains=term)
                | Q(actor__first_name__icontains=term)
            )
    if filters.action.strip():
        entries = entries.filter(action__startswith=filters.action.strip())
    if filters.target_type:
        app_label, _dot, model = filters.target_type.partition(".")
        entries = entries.filter(target_type__app_label=app_label, target_type__model=model)
    if filters.target_id.strip():
        entries = entries.filter(target_id=filters.target_id.strip())
    if filters.date_from:
        entries = entries.filter(created_at__gte=tokyo_datetime(filters.date_from))
    if filters.date_to:
        entries = entries.filter(
            created_at__lt=tokyo_datetime(filters.date_to + dt.timedelta(days=1))
        )
    return entries.order_by("-created_at", "-pk")
