"""Inventory (インベントリ): seats a group applicant bought for others (DOMAIN.md §1, §4, §13).

``InventoryItem`` is one purchase (N seats of a session or an e-learning course,
paid by one order); ``Seat`` is one of its N seats: ``unassigned`` → ``assigned``
(a learner and that learner's enrolment, source ``inventory``) → back to
``unassigned`` when staff unassign it; ``cancelled`` by staff only (R-CANCEL-2).
``Assignment`` is the history of who held a seat, from when to when.
Live seats (unassigned or assigned) hold the session's capacity
(``kenshu.inventory.seats``, registered with ``kenshu.enrollments.seats``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InventoryItem(models.Model):
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("group applicant"),
        on_delete=models.PROTECT,
        related_name="inventory_items",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inventory_items",
        help_text=_("The applicant's organisation at the time of purchase: its group."),
    )
    course = models.ForeignKey(
        "catalog.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_items",
        help_text=_("Empty for e-learning."),
    )
    quantity = models.PositiveIntegerField(_("seats bought"))
    unit_fee = models.PositiveIntegerField(_("fee per seat (tax excluded)"))
    order = models.ForeignKey(
        "billing.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_items",
        help_text=_("Empty for seats carried over from the legacy system (R-MIGRATE-2)."),
    )
    #: The cancellation tiers in force when the seats were bought (R-CANCEL-1).
    cancellation_tiers = models.JSONField(_("cancellation tiers"), default=list, blank=True)
    purchased_at = models.DateTimeField(_("purchased at"))
    purchased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("purchased by (staff, on the customer's behalf)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-purchased_at", "-pk"]
        verbose_name = _("inventory purchase")
        verbose_name_plural = _("inventory purchases")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="inventory_quantity_positive")
        ]
        indexes = [models.Index(fields=["session"], name="inventory_item_session")]

    def __str__(self) -> str:
        return f"{self.number} {self.course.code} ×{self.quantity}"

    @property
    def number(self) -> str:
        return f"P{self.pk:08d}"


class Seat(models.Model):
    class State(models.TextChoices):
        UNASSIGNED = "unassigned", _("Unassigned")
        ASSIGNED = "assigned", _("Assigned")
        CANCELLED = "cancelled", pgettext_lazy("seat state", "Cancelled")

    LIVE_STATES = (State.UNASSIGNED, State.ASSIGNED)

    item = models.ForeignKey(
        InventoryItem, verbose_name=_("purchase"), on_delete=models.PROTECT, related_name="seats"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.UNASSIGNED
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_seats",
    )
    enrollment = models.OneToOneField(
        "enrollments.Enrollment",
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seat",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("inventory seat")
        verbose_name_plural = _("inventory seats")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(state="assigned", learner__isnull=False, enrollment__isnull=False)
                    | (~Q(state="assigned") & Q(learner__isnull=True, enrollment__isnull=True))
                ),
                name="seat_assigned_iff_learner_and_enrollment",
            )
        ]
        indexes = [models.Index(fields=["item", "state"], name="seat_item_state")]

    def __str__(self) -> str:
        return f"{self.item.number}-{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class Assignment(models.Model):
    """割当て: one learner holding one seat, from ``assigned_at`` until ``ended_at``."""

    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="assignments"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrollment = models.ForeignKey(
        "enrollments.Enrollment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["seat", "assigned_at", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["seat"], condition=Q(ended_at__isnull=True), name="one_current_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seat} → {self.learner}"
