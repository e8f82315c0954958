"""Cancellation policy per delivery type (R-CANCEL-4), editable by staff."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CancellationPolicy(models.Model):
    """The tiers for one delivery type. The tiers in force when a seat is bought are
    copied onto the enrolment (``Enrollment.cancellation_tiers``), so editing a
    policy never changes what earlier customers were promised."""

    class Unit(models.TextChoices):
        BUSINESS_DAYS = "business_days", _("Business days before the first day")
        CALENDAR_DAYS = "calendar_days", _("Calendar days before the access start date")

    delivery = models.CharField(_("delivery"), max_length=20, unique=True)
    unit = models.CharField(_("counted in"), max_length=20, choices=Unit.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cancellation policy")
        verbose_name_plural = _("cancellation policies")

    def __str__(self) -> str:
        return self.delivery

    def tiers_snapshot(self) -> list[dict]:
        """The tiers as stored on an enrolment: [{"min_days_before": N, "rate": %}, …],
        most days first."""
        return [
            {"min_days_before": t.min_days_before, "rate": t.rate, "unit": self.unit}
            for t in self.tiers.order_by("-min_days_before")
        ]


class CancellationTier(models.Model):
    """From ``min_days_before`` days before (inclusive) the fee is ``rate`` % of the fee."""

    policy = models.ForeignKey(CancellationPolicy, on_delete=models.CASCADE, related_name="tiers")
    min_days_before = models.PositiveIntegerField(
        _("from this many days before"),
        help_text=_("The tier applies when the contact is at least this many days before."),
    )
    rate = models.PositiveSmallIntegerField(_("fee rate (%)"), validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["policy", "-min_days_before"]
        verbose_name = _("cancellation tier")
        verbose_name_plural = _("cancellation tiers")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "min_days_before"], name="one_tier_per_threshold"
            ),
            models.CheckConstraint(condition=models.Q(rate__lte=100), name="tier_rate_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.min_days_before}+ → {self.rate}%"
