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

    def has_change_permission(self, request, obj=None):
        """The change permission grants the resend action, never editing a row.

        Asked without a row (the changelist, the actions), it is the user's
        permission. Asked about a row, it is always no: the change page is
        shown read-only to anyone who may view the log, and a POST to it is
        refused, so the admin can never write a stale state over a row that
        a worker is sending.
        """
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=_("Resend the selected emails (as new emails)"),
        permissions=("change",),  # sets allowed_permissions
    )
    def resend(self, request, queryset):
        count = 0
        for email in queryset:
            email_resend(email=email, actor=request.user)
            count += 1
        self.message_user(
            request, _("Queued %(n)d email(s) again.") % {"n": count}, messages.SUCCESS
        )
