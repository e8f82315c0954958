"""Fixtures of the billing tests: besides ``sato`` (佐藤 花子 of 株式会社サンプル) and the
staff roles from kenshu/conftest.py, an individual buyer."""

import pytest

from kenshu.core.testing import UserFactory


@pytest.fixture
def yamada(db):
    """山田 一郎, an individual buyer (no organisation)."""
    return UserFactory(
        username="yamada", email="yamada@example.jp", last_name="山田", first_name="一郎"
    )
