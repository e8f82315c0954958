"""Suite-wide fixtures and the rules for optional parts.

- Tests marked ``postgres`` need PostgreSQL (real row locks, real threads):
  skipped on the SQLite run, run on the PostgreSQL run.
- Browser tests (``e2e``) need /usr/bin/chromium: skipped when it is missing,
  a failure with CI=true.
"""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (the PostgreSQL pass of make test)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """Compile any .po newer than its .mo, so a plain ``pytest`` after editing a
    catalogue shows the new Japanese (``make`` compiles them too)."""
    from kenshu.core.management.commands.compile_translations import ensure_compiled

    ensure_compiled()


@pytest.fixture(autouse=True)
def _japanese_by_default(settings):
    """Every test starts in Japanese, the default language."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield
