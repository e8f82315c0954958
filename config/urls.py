from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kenshu.core import views as core_views
from kenshu.requests.urls import site_urlpatterns

urlpatterns = [
    path("", include("kenshu.catalog.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Kenshu's own account pages first (forgot user ID, terms), then allauth's.
    path("", include("kenshu.accounts.public_urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("kenshu.accounts.urls")),
    path("", include(site_urlpatterns)),  # /requests/… and /account/requests/
    # Paths inside these modules are the public ones of DOMAIN.md §14
    # (/apply/…, /purchase/…, /account/enrollments/, /account/invoices/).
    path("", include("kenshu.enrollments.urls")),
    path("", include("kenshu.billing.urls")),
    path("", include("kenshu.inventory.urls")),  # /purchase/…, /account/inventory/, /account/group/
    path("staff/", include("kenshu.backoffice.urls")),
    path("staff/catalogue/", include("kenshu.catalog.staff_urls")),
    path("staff/invoices/", include("kenshu.billing.staff_urls")),
    path("staff/sessions/", include("kenshu.enrollments.staff_urls")),
    path("staff/inventory/", include("kenshu.inventory.staff_urls")),
    path("staff/requests/", include("kenshu.requests.staff_urls")),
    path("staff/cancellation/", include("kenshu.cancellation.staff_urls")),
    path("staff/migration/", include("kenshu.migration.staff_urls")),
    path("captcha/", include("captcha.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("dev/mail/", include("kenshu.notifications.dev_urls"))]
