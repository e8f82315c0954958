"""The public catalogue pages (DOMAIN.md §14): /, /courses/, /courses/<code>/."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/", views.course_search, name="course_search"),
    path("courses/<str:code>/", views.course_detail, name="course_detail"),
]
