"""The site with stand-ins for the purchase pages of R-APPLY-2 (/purchase/…), which a
later issue adds: the course page shows "buy seats for others" once they exist."""

from django.http import HttpResponse
from django.urls import include, path


def purchase_page(request, **kwargs):
    return HttpResponse("purchase")


urlpatterns = [
    path("purchase/session/<int:pk>/", purchase_page),
    path("purchase/course/<str:code>/", purchase_page),
    path("", include("config.urls")),
]
