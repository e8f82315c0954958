from django.contrib import admin

from .models import Course, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "delivery", "is_partner", "fee", "is_published"]
    list_filter = ["delivery", "is_partner", "is_published"]
    search_fields = ["code", "title"]
    inlines = [SessionInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["course", "starts_at", "venue", "capacity", "deadline", "state"]
    list_filter = ["state", "course__delivery"]
    list_select_related = ["course"]
    date_hierarchy = "starts_at"
