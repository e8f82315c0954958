"""What the legacy import keeps (DOMAIN.md §10, R-MIGRATE-3).

``LegacyMember`` and ``LegacyBooking`` tie each row of the old system's export
(by its legacy ID) to what the import made of it: a run that meets a legacy ID
it already knows compares the row with the one it stored (``data_hash``) and
changes nothing when they are equal. They also keep the legacy data for the
staff review (R-MIGRATE-2): the review list shows it beside the new account.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegacyMember(models.Model):
    """One member of the old system (a row of the members file) and its new account."""

    legacy_member_id = models.CharField(_("legacy member ID"), max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="legacy_member",
    )
    #: The row as imported (normalised), column name → value.
    data = models.JSONField(_("legacy data"), default=dict)
    #: SHA-256 of ``data`` (canonical JSON): equal hash → the row is unchanged.
    data_hash = models.CharField(max_length=64)
    row_number = models.PositiveIntegerField(_("row in the last import"))
    #: The user type and organisation the import gave (to tell a staff change from a
    #: change of the legacy data on a later run).
    mapped_user_type = models.CharField(_("user type given by the import"), max_length=20)
    mapped_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation given by the import"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: R-MIGRATE-2: live bookings on or after the cut-off.
    handled_individually = models.BooleanField(_("handled individually"), default=False)
    needs_review = models.BooleanField(_("to review"), default=False, db_index=True)
    #: Why staff should look: ``[{"code": …, "params": {…}}]`` (messages: ``review``).
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("review note"), blank=True, max_length=2000)
    #: When the system renewal notice was queued (R-MIGRATE-4): once per member.
    notice_queued_at = models.DateTimeField(_("renewal notice queued at"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["legacy_member_id"]
        verbose_name = _("legacy member")
        verbose_name_plural = _("legacy members")
        indexes = [
            models.Index(
                fields=["needs_review", "handled_individually", "legacy_member_id"],
                name="legacy_member_review_idx",
            )
        ]

    def __str__(self) -> str:
        return self.legacy_member_id


class LegacyBooking(models.Model):
    """One booking of the old system (a row of the bookings file) and what it became."""

    class Outcome(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolment of the member")
        INVENTORY = "inventory", _("Inventory seat assigned to a group learner")
        CANCELLED = "cancelled", _("Not imported: cancelled in the old system")
        BEFORE_CUTOFF = "before_cutoff", _("Not imported: before the cut-off")
        SESSION_CANCELLED = "session_cancelled", _("Not imported: the session is cancelled")

    IMPORTED = (Outcome.ENROLLED, Outcome.INVENTORY)

    legacy_booking_id = models.CharField(_("legacy booking ID"), max_length=64, unique=True)
    legacy_member = models.ForeignKey(
        LegacyMember,
        verbose_name=_("legacy member"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    data = models.JSONField(_("legacy data"), default=dict)
    data_hash = models.CharField(max_length=64)
    row_number = models.PositiveIntegerField(_("row in the last import"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    session = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrollment = models.OneToOneField(
        "enrollments.Enrollment",
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legacy_booking",
    )
    inventory_item = models.OneToOneField(
        "inventory.InventoryItem",
        verbose_name=_("inventory purchase"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legacy_booking",
    )
    imported_at = models.DateTimeField(_("imported at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["legacy_booking_id"]
        verbose_name = _("legacy booking")
        verbose_name_plural = _("legacy bookings")

    def __str__(self) -> str:
        return self.legacy_booking_id
