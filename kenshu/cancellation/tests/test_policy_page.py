"""/staff/cancellation/policies/: the policy of each delivery type, read-only, with a
link to its editor (the Django admin, audited there)."""

import pytest

from kenshu.accounts import roles
from kenshu.core.testing import NO_ROLE, make_staff

pytestmark = pytest.mark.django_db

URL = "/staff/cancellation/policies/"


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.RECEPTION, 200), (roles.ACCOUNTING, 200), (roles.ADMINISTRATOR, 200), (NO_ROLE, 403)],
)
def test_staff_with_view_cancellationpolicy_see_the_policies(client, role, status):
    client.force_login(make_staff(role))
    assert client.get(URL).status_code == status


def test_customers_are_refused(client, learner):
    client.force_login(learner)
    assert client.get(URL).status_code == 403


def test_the_page_shows_each_delivery_s_tiers_in_words(client, reception):
    client.force_login(reception)
    html = client.get(URL).content.decode()
    for text in ("集合研修", "ライブ研修", "eラーニング", "初日の7〜3営業日前", "50%", "100%"):
        assert text in html, text
    assert "/admin/cancellation/cancellationpolicy/" in html


def test_only_those_who_may_change_a_policy_are_offered_the_editor(
    client, reception, administrator
):
    client.force_login(reception)
    assert "policy-edit" not in client.get(URL).content.decode()
    client.force_login(administrator)
    assert "policy-edit" in client.get(URL).content.decode()
