"""Cancellation policy per delivery type (R-CANCEL-4), editable by staff."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kenshu.catalog.models import Course

from . import quoting


class CancellationPolicy(models.Model):
    """The tiers for one delivery type. The tiers in force when a seat is bought are
    copied onto the enrolment (``Enrollment.cancellation_tiers``), so editing a
    policy never changes what earlier customers were promised."""

    class Unit(models.TextChoices):
        BUSINESS_DAYS = quoting.BUSINESS_DAYS, _("Business days before the first day")
        CALENDAR_DAYS = quoting.CALENDAR_DAYS, _("Calendar days before the access start date")

    delivery = models.CharField(
        _("delivery"), max_length=20, unique=True, choices=Course.Delivery.choices
    )
    unit = models.CharField(_("counted in"), max_length=20, choices=Unit.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["delivery"]
        verbose_name = _("cancellation policy")
        verbose_name_plural = _("cancellation policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__in=quoting.UNITS), name="cancellation_policy_unit_known"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_delivery_display())

    def tiers_snapshot(self) -> list[dict]:
        """The tiers as stored on an enrolment, most days first:
        ``[{"min_days_before": N, "rate": %, "unit": ...}, …]``. Uses prefetched tiers."""
        tiers = sorted(self.tiers.all(), key=lambda t: t.min_days_before, reverse=True)
        return [
            {"min_days_before": t.min_days_before, "rate": t.rate, "unit": self.unit} for t in tiers
        ]


class CancellationTier(models.Model):
    """From ``min_days_before`` days before (inclusive) the fee is ``rate`` % of the fee."""

    policy = models.ForeignKey(
        CancellationPolicy,
        verbose_name=_("cancellation policy"),
        on_delete=models.CASCADE,
        related_name="tiers",
    )
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
