"""The one way to write the audit trail (ARCHITECTURE.md §8)."""

from collections.abc import Iterable
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


def audit_log_many(
    *,
    actor: models.Model | None,
    entries: Iterable[tuple[str, models.Model | None, dict[str, Any] | None]],
    batch_size: int = 1000,
) -> int:
    """``audit_log`` for many ``(action, target, data)`` at once, in batched inserts
    (bulk work such as the legacy import). Same rows, same rules; returns how many."""
    rows = []
    for action, target, data in entries:
        if not action or "." not in action:
            raise ValueError("audit action must be a dotted name such as 'user.type_changed'")
        entry = AuditEntry(
            actor=actor if actor is not None and actor.pk else None, action=action, data=data or {}
        )
        if target is not None:
            entry.target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
            entry.target_id = str(target.pk)
            entry.target_repr = str(target)[:255]
        rows.append(entry)
    AuditEntry.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)
