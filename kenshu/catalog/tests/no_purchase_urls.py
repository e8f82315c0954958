"""The catalogue and account pages only: a site without the purchase pages (/purchase/…)."""

from django.urls import include, path

urlpatterns = [
    path("", include("kenshu.catalog.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("kenshu.accounts.urls")),
]
