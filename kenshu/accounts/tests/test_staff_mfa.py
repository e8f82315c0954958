"""Staff MFA (issue 3): with KENSHU_STAFF_MFA_REQUIRED (on in production), staff
must activate TOTP before they can use the staff area or the admin."""

import pytest
from allauth.mfa.models import Authenticator

from kenshu.accounts import roles
from kenshu.core.testing import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = make_staff(roles.ADMINISTRATOR)
    client.force_login(user)
    return user


@pytest.mark.parametrize("path", ["/staff/", "/admin/"])
def test_staff_without_totp_are_sent_to_activate_it_when_mfa_is_required(
    client, staff, settings, path
):
    settings.KENSHU_STAFF_MFA_REQUIRED = True
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_totp_use_the_staff_area_when_mfa_is_required(client, staff, settings):
    settings.KENSHU_STAFF_MFA_REQUIRED = True
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/staff/").status_code == 200


def test_customers_pages_are_not_affected_by_the_staff_mfa_rule(client, staff, settings):
    settings.KENSHU_STAFF_MFA_REQUIRED = True
    assert client.get("/account/").status_code == 200


def test_without_the_requirement_staff_may_still_work_without_totp(client, staff, settings):
    settings.KENSHU_STAFF_MFA_REQUIRED = False
    assert client.get("/staff/").status_code == 200


def test_production_settings_require_staff_mfa():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        KENSHU_ENV="production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="kenshu.example.jp",
        DATABASE_URL="sqlite:////tmp/kenshu-mfa-check.sqlite3",
    )
    out = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.KENSHU_STAFF_MFA_REQUIRED)",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().endswith("True")
