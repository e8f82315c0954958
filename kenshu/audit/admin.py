from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by services, never by hand."""

    list_display = ["created_at", "actor", "action", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_repr", "actor__username", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
