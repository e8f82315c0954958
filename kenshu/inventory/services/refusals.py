"""Refusals that are recorded (R-TYPE, R-CANCEL-1): a customer who tries to cancel
inventory or unassign a seat, or anyone who posts to a staff inventory page without
the permission, is refused with 403, and the attempt is written to the audit trail."""

from django.db import transaction

from kenshu.audit.services import audit_log

from ..models import InventoryItem, Seat


def inventory_action_refused(
    *,
    actor,
    action: str,
    path: str,
    item_id: int | None = None,
    seat_id: int | None = None,
) -> None:
    """Audit ``inventory.<action>_refused`` by ``actor`` (the refused request's user)."""
    target = None
    if seat_id is not None:
        target = Seat.objects.filter(pk=seat_id).first()
    if target is None and item_id is not None:
        target = InventoryItem.objects.filter(pk=item_id).first()
    with transaction.atomic():
        audit_log(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=f"inventory.{action}_refused",
            target=target,
            data={
                "path": path,
                "user_type": getattr(actor, "user_type", ""),
                "is_staff": bool(getattr(actor, "is_staff", False)),
                "item": item_id,
                "seat": seat_id,
            },
        )
