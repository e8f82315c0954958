"""/staff/migration/: the review list of migrated members (R-MIGRATE-2)."""

from django.urls import path

from . import views

app_name = "migration_staff"

urlpatterns = [
    path("", views.legacy_member_list, name="legacy_member_list"),
    path("<int:pk>/", views.legacy_member_detail, name="legacy_member_detail"),
]
