"""The public paths of DOMAIN.md §14 for requests, in the site's own URLconf."""

from django.urls import reverse


def test_the_site_urlconf_serves_the_request_form_and_my_requests_at_their_public_paths():
    assert reverse("requests:type_change", urlconf="config.urls") == "/requests/type-change/"
    assert reverse("requests:my_requests", urlconf="config.urls") == "/account/requests/"
