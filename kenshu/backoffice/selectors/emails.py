"""The email log (DOMAIN.md §8, §11): every outbox row, searchable, for staff.

A page of the log is two queries (count, rows) whatever its size: the related
object is shown from its content type (cached) and id, never fetched row by row.
"""

from functools import cache
from pathlib import Path

from django.apps import apps
from django.db.models import Prefetch, QuerySet

from kenshu.notifications.models import EmailAttempt, OutboxEmail

#: The columns a list row shows (the context and the claim are left in the database).
LIST_FIELDS = (
    "pk",
    "created_at",
    "template",
    "to_email",
    "language",
    "state",
    "attempts",
    "last_error",
    "subject",
    "send_after",
    "sent_at",
    "related_type",
    "related_id",
    "resent_from",
)


@cache
def email_templates() -> tuple[str, ...]:
    """The names of every email template trio installed (``notifications/email/<name>/``)
    in the apps' template directories: the choices of the template filter."""
    names = set()
    for config in apps.get_app_configs():
        base = Path(config.path) / "templates" / "notifications" / "email"
        if base.is_dir():
            names.update(p.parent.name for p in base.glob("*/subject.txt"))
    return tuple(sorted(names))


def emails_search(*, state: str = "", template: str = "", recipient: str = "") -> QuerySet:
    """Outbox rows, newest first, of ``state`` and ``template``, to an address containing
    ``recipient`` (case-insensitive)."""
    emails = OutboxEmail.objects.select_related("related_type").only(*LIST_FIELDS)
    if state:
        emails = emails.filter(state=state)
    if template:
        emails = emails.filter(template=template)
    if recipient.strip():
        emails = emails.filter(to_email__icontains=recipient.strip())
    return emails.order_by("-created_at", "-pk")


def email_for_staff(*, pk: int) -> OutboxEmail:
    """One outbox row with its attempts, the row it was resent from and its resends."""
    return (
        OutboxEmail.objects.select_related("related_type", "resent_from")
        .prefetch_related(
            Prefetch("attempt_log", queryset=EmailAttempt.objects.order_by("at", "pk")),
            Prefetch(
                "resends",
                queryset=OutboxEmail.objects.only("pk", "created_at", "state", "resent_from"),
            ),
        )
        .get(pk=pk)
    )
