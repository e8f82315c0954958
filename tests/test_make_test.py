"""`make test` must fail when no test ran: pytest exits 5 (docs/testing.md).

pytest words it two ways: "1 deselected" when ``-k`` filtered every test out,
"no tests ran" when nothing was collected at all. Both exit 5.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_TESTS_COLLECTED = 5


def _pytest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_pytest_exits_5_when_k_matches_no_test():
    result = _pytest("-k", "a_name_that_matches_no_test_at_all", __file__)
    output = result.stdout + result.stderr
    assert result.returncode == NO_TESTS_COLLECTED, output
    assert "deselected" in output
    assert "passed" not in output


def test_pytest_exits_5_and_says_no_tests_ran_when_nothing_is_collected(tmp_path):
    empty = tmp_path / "test_nothing_here.py"
    empty.write_text('"""A test module without tests."""\n')
    result = _pytest(str(empty))
    output = result.stdout + result.stderr
    assert result.returncode == NO_TESTS_COLLECTED, output
    assert "no tests ran" in output
