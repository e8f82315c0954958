"""Every visible string is translated: `make messages` would add nothing untranslated.

Runs makemessages on a copy of the source tree (it needs GNU gettext; CI installs
it, a developer machine without it skips this test) and checks every catalogue.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[3]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def test_makemessages_finds_no_string_without_a_japanese_translation(tmp_path):
    if shutil.which("xgettext") is None:
        if IN_CI:
            pytest.fail("GNU gettext (xgettext) is missing: .ci/run installs it")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.mo", "tests")
    for name in ("kenshu", "config", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DATABASE_URL"}}
    env.update(KENSHU_ENV="test", PYTHONPATH=str(copy), KENSHU_VAR_DIR=str(tmp_path / "var"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    missing = {}
    for po_path in copy.rglob("django.po"):
        po = polib.pofile(str(po_path))
        untranslated = [e.msgid for e in po if not e.translated() or e.fuzzy]
        if untranslated:
            missing[str(po_path.relative_to(copy))] = untranslated
    assert missing == {}, "run `make messages` and translate these"
