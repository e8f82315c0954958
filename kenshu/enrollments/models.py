"""Enrolments and the waiting list (DOMAIN.md §4, §13)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Enrollment(models.Model):
    """A learner's place on a session, or access to an e-learning course.

    ``source`` says how the seat is held: ``self`` (applied for oneself; the
    enrolment itself holds capacity) or ``inventory`` (assigned from a group
    applicant's bought seat; the inventory seat holds capacity).
    """

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", pgettext_lazy("enrolment state", "Cancelled")

    class Source(models.TextChoices):
        SELF = "self", _("Applied for oneself")
        INVENTORY = "inventory", _("Assigned from inventory")

    #: States that hold a seat ("live" = applied, not yet cancelled).
    LIVE_STATES = (State.APPLIED,)

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who applied and pays: the learner itself, or its group applicant."),
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
        related_name="enrollments",
        help_text=_("Empty for e-learning."),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.SELF
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.APPLIED
    )
    order = models.ForeignKey(
        "billing.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    fee = models.PositiveIntegerField(_("fee (tax excluded)"))
    applied_at = models.DateTimeField(_("applied at"))
    access_starts_on = models.DateField(_("e-learning access from"), null=True, blank=True)
    access_ends_on = models.DateField(_("e-learning access until"), null=True, blank=True)
    #: The cancellation tiers in force when the seat was bought (R-CANCEL-1, issue 6).
    cancellation_tiers = models.JSONField(_("cancellation tiers"), default=list, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The day the cancellation was asked for (R-CANCEL-3): the quote's contact date.
    cancellation_contact_date = models.DateField(
        _("cancellation contact date"), null=True, blank=True
    )
    #: The cancellation fee charged (tax excluded), as quoted on the contact date.
    cancellation_fee = models.PositiveIntegerField(_("cancellation fee"), null=True, blank=True)
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    #: Attendance and completion (DOMAIN.md §11), recorded by staff.
    attendance_marked_at = models.DateTimeField(_("attendance marked at"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            # R-APPLY-1: one live enrolment per learner per session …
            models.UniqueConstraint(
                fields=["learner", "session"],
                condition=Q(state="applied", session__isnull=False),
                name="one_live_enrollment_per_learner_and_session",
            ),
            # … and per e-learning course.
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=Q(state="applied", session__isnull=True),
                name="one_live_elearning_enrollment_per_learner_and_course",
            ),
        ]
        indexes = [models.Index(fields=["session", "state"], name="enrollment_session_state")]

    def __str__(self) -> str:
        return f"{self.number} {self.course.code}"

    @property
    def number(self) -> str:
        return f"E{self.pk:08d}"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class WaitingListEntry(models.Model):
    """A place in the queue for a full session (not an enrolment).

    waiting → offered (holds a seat until ``offer_expires_at``) → accepted / expired /
    withdrawn.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Seat offered")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    session = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="waiting_list",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="waiting_list_entries",
    )
    position = models.PositiveIntegerField(_("position"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.WAITING
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "position", "pk"]
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(state__in=["waiting", "offered"]),
                name="one_open_waiting_entry_per_user_and_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} #{self.position} {self.user}"
