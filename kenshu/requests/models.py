"""Customer requests that staff decide (DOMAIN.md §13): open → done / rejected.

Each kind is its own model on a shared abstract base, so that each can hold
the references it needs (a user, an enrolment, an inventory seat) with real
foreign keys: type change (R-TYPE-4), cancellation (R-CANCEL-2), learner change
and date change (R-APPLY-5). See docs/requests.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kenshu.core.time import tokyo_date


class RequestKind(models.TextChoices):
    """The kinds of request, as named in emails and lists (``kind`` in email contexts)."""

    TYPE_CHANGE = "type_change", _("User-type change request")
    CANCELLATION = "cancellation", _("Cancellation request")
    LEARNER_CHANGE = "learner_change", _("Learner change request")
    DATE_CHANGE = "date_change", _("Date change request")


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


class CancellationRequest(BaseRequest):
    """申し込みキャンセル依頼 (R-CANCEL-2): cancel one inventory seat, a whole purchase
    (``seat`` empty), or an enrolment. The text fields keep what the customer wrote
    (prefilled where known); the fee is quoted on ``contact_date`` (R-CANCEL-3) and
    what was charged is kept when staff process it."""

    kind = RequestKind.CANCELLATION

    item = models.ForeignKey(
        "inventory.InventoryItem",
        verbose_name=_("purchase"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancellation_requests",
    )
    seat = models.ForeignKey(
        "inventory.Seat",
        verbose_name=_("seat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancellation_requests",
        help_text=_("Empty: the whole purchase (every live seat)."),
    )
    enrollment = models.ForeignKey(
        "enrollments.Enrollment",
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancellation_requests",
    )
    course_code = models.CharField(_("course code"), max_length=20)
    course_title = models.CharField(_("course name"), max_length=200)
    session_date = models.CharField(_("session date"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    learner_name = models.CharField(_("learner name"), max_length=200, blank=True)
    # Filled when processed: the fee charged (tax excluded) and the documents issued.
    fee = models.PositiveIntegerField(_("cancellation fee"), null=True, blank=True)
    fee_rate = models.PositiveSmallIntegerField(_("fee rate (%)"), null=True, blank=True)
    credit_note = models.ForeignKey(
        "billing.Invoice",
        verbose_name=_("credit note"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fee_invoice = models.ForeignKey(
        "billing.Invoice",
        verbose_name=_("fee invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(BaseRequest.Meta):
        verbose_name = _("cancellation request")
        verbose_name_plural = _("cancellation requests")
        permissions = [("decide_cancellationrequest", _("Can process cancellation requests"))]
        constraints = [
            # One open request per seat, per whole purchase and per enrolment (the
            # service also refuses a seat request while its purchase has one, and back).
            models.UniqueConstraint(
                fields=["seat"],
                condition=Q(state="open", seat__isnull=False),
                name="one_open_cancellation_request_per_seat",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state="open", seat__isnull=True, item__isnull=False),
                name="one_open_cancellation_request_per_purchase",
            ),
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(state="open", enrollment__isnull=False),
                name="one_open_cancellation_request_per_enrollment",
            ),
            models.CheckConstraint(
                condition=Q(item__isnull=False) | Q(enrollment__isnull=False),
                name="cancellation_request_has_a_target",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.course_code} {self.learner_name}"

    @property
    def is_whole_purchase(self) -> bool:
        return self.item_id is not None and self.seat_id is None


class LearnerChangeRequest(BaseRequest):
    """受講者変更 (R-APPLY-5): the seat stays bought; staff unassign and assign the new
    learner (an existing group learner, or a new colleague by name and email)."""

    kind = RequestKind.LEARNER_CHANGE

    seat = models.ForeignKey(
        "inventory.Seat",
        verbose_name=_("seat"),
        on_delete=models.PROTECT,
        related_name="learner_change_requests",
    )
    current_learner_name = models.CharField(_("current learner"), max_length=200, blank=True)
    new_learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new learner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_learner_name = models.CharField(_("new learner name"), max_length=200)
    new_learner_kana = models.CharField(_("new learner kana"), max_length=200, blank=True)
    new_learner_email = models.EmailField(_("new learner email"))
    # A new colleague's name as entered (to create its account when staff process).
    new_last_name = models.CharField(_("family name"), max_length=150, blank=True)
    new_first_name = models.CharField(_("given name"), max_length=150, blank=True)
    new_last_name_kana = models.CharField(_("family name (kana)"), max_length=150, blank=True)
    new_first_name_kana = models.CharField(_("given name (kana)"), max_length=150, blank=True)
    #: The learner the seat went to when staff processed the request.
    assigned_learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner assigned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(BaseRequest.Meta):
        verbose_name = _("learner change request")
        verbose_name_plural = _("learner change requests")
        permissions = [("decide_learnerchangerequest", _("Can process learner change requests"))]
        constraints = [
            models.UniqueConstraint(
                fields=["seat"],
                condition=Q(state="open"),
                name="one_open_learner_change_request_per_seat",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.current_learner_name} → {self.new_learner_name}"

    @property
    def is_new_colleague(self) -> bool:
        return self.new_learner_id is None


class DateChangeRequest(BaseRequest):
    """日程変更 (R-APPLY-5): move an enrolment (self-applied or assigned) to another
    session of the same course when seats allow; a fee difference is its own document."""

    kind = RequestKind.DATE_CHANGE

    enrollment = models.ForeignKey(
        "enrollments.Enrollment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="date_change_requests",
    )
    target_session = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("requested session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    preferred_dates = models.CharField(_("preferred dates"), max_length=300, blank=True)
    #: The enrolment's session when the request was made, and the one staff moved it to.
    from_session = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("session at the time of the request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    moved_to = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("moved to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(BaseRequest.Meta):
        verbose_name = _("date change request")
        verbose_name_plural = _("date change requests")
        permissions = [("decide_datechangerequest", _("Can process date change requests"))]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(state="open"),
                name="one_open_date_change_request_per_enrollment",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.enrollment}"
