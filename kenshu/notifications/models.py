from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    """One email to one recipient, recorded before it is sent (DOMAIN.md §8, R-MAIL).

    Written by ``email_queue`` in the transaction of the change that caused it;
    sent by ``outbox_send`` after commit, at most once.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    template = models.CharField(_("template"), max_length=100)
    to_email = models.EmailField(_("recipient"))
    from_email = models.CharField(_("sender"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="ja")
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    related_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    related_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    dedup_key = models.CharField(_("de-duplication key"), max_length=200, blank=True)
    send_after = models.DateTimeField(_("earliest send time"), default=timezone.now)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox emails")
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=~Q(dedup_key=""),
                name="outbox_dedup_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "send_after"], name="outbox_due_idx"),
            models.Index(fields=["related_type", "related_id"], name="outbox_related_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to_email} ({self.get_state_display()})"


class EmailAttempt(models.Model):
    """One try at sending an outbox email, with its outcome."""

    email = models.ForeignKey(OutboxEmail, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    succeeded = models.BooleanField(_("succeeded"))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("send attempt")
        verbose_name_plural = _("send attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.succeeded else self.error[:80]}"


class SentMail(models.Model):
    """A message as handed to the embedded mail backend (development viewer /dev/mail/)."""

    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)
    from_email = models.CharField(max_length=254)
    to = models.TextField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("sent mail (development)")
        verbose_name_plural = _("sent mail (development)")

    def __str__(self) -> str:
        return self.subject
