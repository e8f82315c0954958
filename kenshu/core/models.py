from django.db import models
from django.utils.translation import gettext_lazy as _


class ClosureDay(models.Model):
    """A day the provider is closed (e.g. 12/29–1/3): not a business day."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()
