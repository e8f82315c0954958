from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kana", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "name_kana"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "user_type", "organisation", "is_staff"]
    list_filter = ["user_type", "is_staff", "is_active", "groups"]
    search_fields = [
        "username",
        "email",
        "last_name",
        "first_name",
        "last_name_kana",
        "first_name_kana",
    ]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {
                "fields": (
                    ("last_name", "first_name"),
                    ("last_name_kana", "first_name_kana"),
                    "email",
                    "phone",
                    "language",
                )
            },
        ),
        (_("Kenshu"), {"fields": ("user_type", "organisation", "department")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
