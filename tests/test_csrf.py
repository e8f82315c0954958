"""CSRF on every POST (issue 3, "Tests that must exist").

Walks every URL pattern of ``config.urls`` and, for each view of Kenshu (a
callback in ``kenshu.*`` or a pattern of a ``kenshu.*`` URLconf), of allauth
(login, signup, password reissue, logout, MFA, ...) and Django's
``set_language`` and admin login:

- the view is not ``csrf_exempt``;
- a POST without a CSRF token is refused with 403 by the CSRF check (seen in
  the ``django.security.csrf`` log), logged in as a staff superuser;
- the same POST with a valid token is *not* refused by the CSRF check, which
  proves the 403 came from the missing token.

URL parameters are filled with dummy values (the CSRF check runs before the
view, so no object needs to exist); patterns that cannot be filled are
skipped, and the test fails if too few views were covered. Views that accept
POST (not 405 with a valid token) are counted too, against a minimum.
"""

import itertools
import logging
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from kenshu.core.testing import UserFactory

CSRF_LOGGER = "django.security.csrf"
TOKEN = "k" * 32  # an unmasked CSRF secret is a valid token for its own cookie

#: Non-Kenshu views that must be covered by name: the account flows of issue 3.
REQUIRED = {
    "account_login",
    "account_logout",
    "account_signup",
    "account_reset_password",
    "account_reset_password_from_key",
    "account_change_password",
    "set_language",
}
OTHER_NAMES = {"set_language", "admin:login"}
#: Dummy values tried for URL parameters, in order.
CANDIDATES = ["1", "TC0001", "x", str(uuid.UUID(int=1)), "abc-1"]
MIN_TARGETS = 25
MIN_POST_VIEWS = 12


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    callback: object
    kenshu: bool  # a Kenshu view (by callback module or by URLconf)
    params: tuple[str, ...]


def _urlconf_is_kenshu(resolver: URLResolver) -> bool:
    module = resolver.urlconf_module
    name = getattr(module, "__name__", "")
    return name.startswith("kenshu.")


def walk(resolver=None, prefix="", namespace=None, kenshu_conf=False):
    """Every URLPattern of the project, with its full namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(
                entry,
                prefix + str(entry.pattern),
                ns,
                kenshu_conf or _urlconf_is_kenshu(entry),
            )
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            callback = entry.callback
            module = getattr(callback, "__module__", "") or ""
            params = tuple(entry.pattern.regex.groupindex) + tuple(
                getattr(entry.pattern, "converters", {}) or {}
            )
            yield Pattern(
                route=prefix + str(entry.pattern),
                name=name,
                callback=callback,
                kenshu=module.startswith("kenshu.") or kenshu_conf,
                params=tuple(dict.fromkeys(params)),
            )


def _module(callback) -> str:
    return getattr(callback, "__module__", "") or ""


def is_target(p: Pattern) -> bool:
    return p.kenshu or _module(p.callback).startswith("allauth.") or p.name in OTHER_NAMES


def _same_view(match, callback) -> bool:
    if match.func is callback:
        return True
    view_class = getattr(callback, "view_class", None)
    return view_class is not None and getattr(match.func, "view_class", None) is view_class


def url_for(p: Pattern) -> str | None:
    """A URL that resolves to ``p``'s view, parameters filled with dummy values; else None."""
    urls = []
    if p.name:
        for values in itertools.product(CANDIDATES, repeat=len(p.params)):
            try:
                urls.append(reverse(p.name, kwargs=dict(zip(p.params, values, strict=True))))
            except NoReverseMatch:
                continue
            break
    elif not p.params and "^" not in p.route and "(" not in p.route:
        urls.append("/" + p.route)
    for url in urls:
        try:
            if _same_view(resolve(url), p.callback):
                return url
        except Resolver404:
            continue
    return None


def collect():
    targets, skipped = [], []
    seen = set()
    for p in walk():
        if not is_target(p):
            continue
        url = url_for(p)
        if url is None:
            skipped.append(p)
        elif url not in seen:
            seen.add(url)
            targets.append((p, url))
    return targets, skipped


TARGETS, SKIPPED = collect()


def _id(target) -> str:
    p, url = target
    return p.name or url


@pytest.fixture
def superuser(db):
    return UserFactory(staff=True, is_superuser=True)


def csrf_rejections(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == CSRF_LOGGER]


def test_no_kenshu_view_is_exempt_from_csrf():
    exempt = [p.route for p in walk() if is_target(p) and getattr(p.callback, "csrf_exempt", False)]
    assert exempt == []


def test_a_reasonable_set_of_views_is_covered():
    covered = {p.name for p, _url in TARGETS}
    assert covered >= REQUIRED, f"not covered: {REQUIRED - covered}"
    assert len(TARGETS) >= MIN_TARGETS, [url for _p, url in TARGETS]
    assert sum(p.kenshu for p, _url in TARGETS) >= 5
    # A Kenshu view is skipped only if its URL parameters cannot be filled.
    assert [p.route for p in SKIPPED if p.kenshu and not p.params] == []


@pytest.mark.parametrize("target", TARGETS, ids=[_id(t) for t in TARGETS])
def test_a_post_without_a_csrf_token_is_refused_with_403(target, superuser, caplog):
    pattern, url = target
    assert not getattr(pattern.callback, "csrf_exempt", False)

    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(superuser)
    with caplog.at_level(logging.WARNING, logger=CSRF_LOGGER):
        response = client.post(url, {})
    assert response.status_code == 403, url
    assert csrf_rejections(caplog), f"{url}: 403, but not from the CSRF check"

    # With the token the CSRF check lets it through: the 403 was the token's doing.
    caplog.clear()
    client.cookies["csrftoken"] = TOKEN
    with caplog.at_level(logging.WARNING, logger=CSRF_LOGGER):
        client.post(url, {"csrfmiddlewaretoken": TOKEN})
    assert csrf_rejections(caplog) == [], url


@pytest.mark.django_db
def test_enough_of_the_covered_views_accept_post(superuser):
    """The views above that take a POST at all (not 405 with a valid token)."""
    accepting = []
    for _pattern, url in TARGETS:
        client = Client(raise_request_exception=False)
        client.force_login(superuser)
        if client.post(url, {}).status_code != 405:
            accepting.append(url)
    assert len(accepting) >= MIN_POST_VIEWS, accepting
    for name in ("account_login", "account_signup", "account_reset_password", "set_language"):
        assert reverse(name) in accepting
