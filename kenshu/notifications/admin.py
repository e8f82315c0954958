from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import EmailAttempt, OutboxEmail
from .services import email_resend


class EmailAttemptInline(admin.TabularInline):
    model = EmailAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "succeeded", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """The email log: what was sent (or is waiting, or failed) to whom."""

    list_display = [
        "created_at",
        "to_email",
        "template",
        "state",
        "attempts",
        "send_after",
        "sent_at",
    ]
    list_filter = ["state", "template", "language"]
    search_fields = ["to_email", "template", "subject", "dedup_key"]
    date_hierarchy = "created_at"
    inlines = [EmailAttemptInline]
    actions = ["resend"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected emails (as new emails)"))
    def resend(self, request, queryset):
        for email in queryset:
            email_resend(email=email, actor=request.user)
        self.message_user(
            request, _("Queued %(n)d email(s) again.") % {"n": queryset.count()}, messages.SUCCESS
        )
