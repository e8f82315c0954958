from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    """A course (研修 / コース) in the catalogue (DOMAIN.md §3)."""

    class Delivery(models.TextChoices):
        CLASSROOM = "classroom", _("Classroom")
        LIVE = "live", _("Live online")
        ELEARNING = "elearning", _("E-learning")

    code = models.CharField(
        _("course code"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", _("Use capital letters, digits and hyphens."))
        ],
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)
    is_partner = models.BooleanField(_("partner course"), default=False)
    fee = models.PositiveIntegerField(_("fee (JPY, tax excluded)"))
    duration = models.CharField(_("duration"), max_length=100, blank=True)
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    access_days = models.PositiveIntegerField(
        _("access period (days)"), default=90, help_text=_("E-learning only.")
    )
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def has_sessions(self) -> bool:
        return self.delivery != self.Delivery.ELEARNING


class Session(models.Model):
    """One dated run (日程 / クラス) of a classroom or live course."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    deadline = models.DateTimeField(_("application deadline"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    # The provider's decision to hold (開催決定) or cancel (中止) the session (DOMAIN.md §3).
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            # A course's sessions by start: the catalogue's next sessions of each course
            # and a course page read a few rows of it, whatever the course's size.
            models.Index(fields=["course", "starts_at", "id"], name="session_course_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(deadline__lte=F("starts_at")), name="session_deadline_before_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.course.code} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"
