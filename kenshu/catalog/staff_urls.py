"""Catalogue management in the staff area, mounted at /staff/catalogue/ (DOMAIN.md §11)."""

from django.urls import path

from . import staff_views

app_name = "catalog_staff"

urlpatterns = [
    path("", staff_views.course_list, name="course_list"),
    path("courses/new/", staff_views.course_create, name="course_create"),
    path("courses/<int:pk>/", staff_views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", staff_views.course_edit, name="course_edit"),
    path(
        "courses/<int:course_pk>/sessions/new/",
        staff_views.session_create,
        name="session_create",
    ),
    path("sessions/<int:pk>/edit/", staff_views.session_edit, name="session_edit"),
]
