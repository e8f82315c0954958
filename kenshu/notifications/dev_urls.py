"""The embedded mail viewer at /dev/mail/ (mounted only when DEBUG)."""

from django.urls import path

from . import dev_views

app_name = "devmail"

urlpatterns = [
    path("", dev_views.mail_list, name="list"),
    path("<int:pk>/", dev_views.mail_detail, name="detail"),
]
