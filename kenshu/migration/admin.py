from django.contrib import admin

from .models import LegacyBooking, LegacyMember


@admin.register(LegacyMember)
class LegacyMemberAdmin(admin.ModelAdmin):
    list_display = ["legacy_member_id", "user", "handled_individually", "needs_review"]
    list_filter = ["handled_individually", "needs_review"]
    search_fields = ["legacy_member_id", "user__username", "user__email"]
    raw_id_fields = ["user", "mapped_organisation", "reviewed_by"]
    readonly_fields = ["data", "data_hash", "imported_at", "updated_at"]


@admin.register(LegacyBooking)
class LegacyBookingAdmin(admin.ModelAdmin):
    list_display = ["legacy_booking_id", "legacy_member", "outcome", "session"]
    list_filter = ["outcome"]
    search_fields = ["legacy_booking_id", "legacy_member__legacy_member_id"]
    raw_id_fields = ["legacy_member", "session", "enrollment", "inventory_item"]
    readonly_fields = ["data", "data_hash", "imported_at", "updated_at"]
