"""Customer requests that staff decide (DOMAIN.md §13): open → done / rejected.

Each kind is its own model on a shared abstract base, so that each can hold
the references it needs (a user, an enrolment, an inventory seat) with real
foreign keys. This issue builds the type-change request; cancellation,
learner-change and date-change requests follow the same base.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kenshu.core.time import tokyo_date


class RequestKind(models.TextChoices):
    """The kinds of request, as named in emails and lists (``kind`` in email contexts)."""

    TYPE_CHANGE = "type_change", _("User-type change request")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class BaseRequest(models.Model):
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_date = models.DateField(
        _("contact date"), help_text=_("The day the customer made contact (Asia/Tokyo).")
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.OPEN
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by (staff)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Set when staff entered a request received by email or phone."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        abstract = True
        ordering = ["contact_date", "created_at", "pk"]

    @property
    def is_open(self) -> bool:
        return self.state == RequestState.OPEN

    @property
    def age_days(self) -> int:
        """Calendar days (Asia/Tokyo) since the contact date: how long it has waited."""
        return (tokyo_date() - self.contact_date).days


class TypeChangeRequest(BaseRequest):
    """種別変更依頼: a corporate user asks to become a group applicant (R-TYPE-4)."""

    kind = RequestKind.TYPE_CHANGE

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="type_change_requests",
    )
    requested_type = models.CharField(_("requested user type"), max_length=20)
    # What the customer wrote (prefilled from the account), kept as sent.
    user_id_text = models.CharField(_("user ID"), max_length=150)
    company_name = models.CharField(_("company name"), max_length=200)
    full_name = models.CharField(_("name"), max_length=200)

    class Meta(BaseRequest.Meta):
        verbose_name = _("user-type change request")
        verbose_name_plural = _("user-type change requests")
        permissions = [("decide_typechangerequest", _("Can decide user-type change requests"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state="open"),
                name="one_open_type_change_request_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.user_id_text} → {self.requested_type}"
