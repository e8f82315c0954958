"""Django admin for data repair (DOMAIN.md §14: /admin/). Applying and the waiting
list go through the services; the admin shows the rows and lets staff repair them."""

from django.contrib import admin

from .models import Enrollment, WaitingListEntry


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["number", "learner", "course", "session", "source", "state", "applied_at"]
    list_filter = ["state", "source", "course__delivery"]
    list_select_related = ["learner", "course", "session__course"]
    search_fields = ["learner__username", "learner__last_name", "course__code"]
    raw_id_fields = ["learner", "applicant", "course", "session", "order"]
    date_hierarchy = "applied_at"


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(admin.ModelAdmin):
    list_display = ["session", "position", "user", "state", "created_at", "offer_expires_at"]
    list_filter = ["state"]
    list_select_related = ["session__course", "user"]
    search_fields = ["user__username", "session__course__code"]
    raw_id_fields = ["session", "user"]
