"""config/settings.py: the three profiles, read from the environment (docs/configuration.md).

Each profile is checked in a fresh ``manage.py`` process with a clean
environment, since settings are read once per process.
"""

import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
MANAGE = str(ROOT / "manage.py")

PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'DEBUG': s.DEBUG, 'TIME_ZONE': s.TIME_ZONE, 'LANGUAGE_CODE': s.LANGUAGE_CODE, "
    "'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE, "
    "'CSRF_COOKIE_SECURE': s.CSRF_COOKIE_SECURE, 'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, "
    "'SECURE_HSTS_SECONDS': s.SECURE_HSTS_SECONDS, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS}))"
)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a clean environment: only PATH/HOME/LANG plus ``env``.

    PYTEST_VERSION (which would select the test profile), DATABASE_URL, DEBUG
    and the like are not inherited from the test run.
    """
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    clean.update(env)
    assert "PYTEST_VERSION" not in clean
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "KENSHU_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
        "ALLOWED_HOSTS": "kenshu.example.jp",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kenshu.sqlite3'}",
        "KENSHU_VAR_DIR": str(tmp_path / "var"),
    }


def _last_line(text: str) -> str:
    """The command's own output (``shell`` may print a line about auto-imports first)."""
    return text.strip().splitlines()[-1]


def test_production_passes_check_deploy_with_no_warnings(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_collects_static_files_with_hashed_names(tmp_path):
    """The manifest storage follows every url() and sourceMappingURL: all must exist."""
    env = _production_env(tmp_path)
    result = _manage("collectstatic", "--noinput", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "var" / "static" / "staticfiles.json").read_text())
    assert "vendor/bootstrap/bootstrap.min.css" in manifest["paths"]


def test_production_without_secret_key_refuses_to_start(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_secure_and_debug_is_off(tmp_path):
    result = _manage("shell", "-c", PRINT_SETTINGS, **_production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(_last_line(result.stdout))
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["ALLOWED_HOSTS"] == ["kenshu.example.jp"]
    assert values["TIME_ZONE"] == "Asia/Tokyo"
    assert values["LANGUAGE_CODE"] == "ja"


def test_the_embedded_default_generates_its_secret_key_once_and_reuses_it(tmp_path):
    var_dir = tmp_path / "var"
    env = {"KENSHU_ENV": "development", "KENSHU_VAR_DIR": str(var_dir)}
    print_key = "from django.conf import settings; print(settings.SECRET_KEY)"

    first = _manage("shell", "-c", print_key, **env)
    assert first.returncode == 0, first.stderr
    second = _manage("shell", "-c", print_key, **env)
    assert second.returncode == 0, second.stderr

    key = _last_line(first.stdout)
    assert key == _last_line(second.stdout)
    assert len(key) >= 50
    key_file = var_dir / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_embedded_default_is_a_debug_development_setup(tmp_path):
    env = {"KENSHU_ENV": "development", "KENSHU_VAR_DIR": str(tmp_path / "var")}
    result = _manage("shell", "-c", PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    values = json.loads(_last_line(result.stdout))
    assert values["DEBUG"] is True
    assert values["TIME_ZONE"] == "Asia/Tokyo"
    assert values["LANGUAGE_CODE"] == "ja"


def test_an_unknown_profile_is_refused(tmp_path):
    result = _manage("check", KENSHU_ENV="staging", KENSHU_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "KENSHU_ENV" in result.stderr


def test_the_test_profile_is_active_under_pytest():
    assert settings.KENSHU_ENV == "test"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.USE_TZ is True
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
