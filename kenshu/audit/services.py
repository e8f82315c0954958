"""The one way to write the audit trail (ARCHITECTURE.md §8)."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry


def audit_log(
    *,
    actor: models.Model | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record ``action`` (dotted, e.g. ``user.type_changed``) by ``actor`` on ``target``.

    Call it inside the service's transaction so the entry commits or rolls
    back with the change it describes. ``actor=None`` means the system.
    """
    if not action or "." not in action:
        raise ValueError("audit action must be a dotted name such as 'user.type_changed'")
    entry = AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        data=data or {},
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:255]
    entry.save()
    return entry
