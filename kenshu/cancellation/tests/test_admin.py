"""Staff edit the cancellation policy in the Django admin (R-CANCEL-4: "editable by
staff"): administrators change it, reception and accounting only view it; the tiers
are validated together; every change is audited as ``cancellation_policy.changed``."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory
from django.urls import reverse

from kenshu.audit.models import AuditEntry
from kenshu.cancellation.models import CancellationPolicy
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.cancellation.validation import policy_tiers_errors
from kenshu.core.testing import UserFactory

pytestmark = pytest.mark.django_db

ACTION = "cancellation_policy.changed"


def change_url(policy):
    return reverse("admin:cancellation_cancellationpolicy_change", args=[policy.pk])


def post_data(policy, rows, *, unit=None):
    """The change form: ``rows`` are (min_days_before, rate) for the existing tiers
    (most days first; ``None`` deletes it), then new tiers."""
    existing = list(policy.tiers.order_by("-min_days_before"))
    data = {
        "unit": unit or policy.unit,
        "tiers-TOTAL_FORMS": str(len(rows)),
        "tiers-INITIAL_FORMS": str(len(existing)),
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        prefix = f"tiers-{i}-"
        data[prefix + "policy"] = str(policy.pk)
        if i < len(existing):
            data[prefix + "id"] = str(existing[i].pk)
            if row is None:
                data[prefix + "min_days_before"] = str(existing[i].min_days_before)
                data[prefix + "rate"] = str(existing[i].rate)
                data[prefix + "DELETE"] = "on"
                continue
        data[prefix + "min_days_before"], data[prefix + "rate"] = (str(v) for v in row)
    return data


def tier_pairs(delivery):
    return [(t["min_days_before"], t["rate"]) for t in policy_tiers_for(delivery)]


@pytest.fixture
def classroom():
    return CancellationPolicy.objects.get(delivery="classroom")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def form_errors(response) -> str:
    assert response.status_code == 200, "the form should be shown again with its errors"
    formset = response.context["inline_admin_formsets"][0].formset
    return " ".join(formset.non_form_errors()) + " " + str(formset.errors)


# --- Administrators change the policy; every change is audited -------------------------


def test_r_cancel_4_an_administrator_changes_the_rates_and_the_change_is_audited(
    admin_client, administrator, classroom
):
    response = admin_client.post(
        change_url(classroom), post_data(classroom, [(8, 10), (3, 60), (0, 100)])
    )
    assert response.status_code == 302
    assert tier_pairs("classroom") == [(8, 10), (3, 60), (0, 100)]
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.actor == administrator
    assert entry.target == classroom
    assert entry.data == {
        "delivery": "classroom",
        "before": {
            "unit": "business_days",
            "tiers": [
                {"min_days_before": 8, "rate": 0},
                {"min_days_before": 3, "rate": 50},
                {"min_days_before": 0, "rate": 100},
            ],
        },
        "after": {
            "unit": "business_days",
            "tiers": [
                {"min_days_before": 8, "rate": 10},
                {"min_days_before": 3, "rate": 60},
                {"min_days_before": 0, "rate": 100},
            ],
        },
    }


def test_an_administrator_adds_and_removes_tiers(admin_client, classroom):
    rows = [(10, 0), None, (0, 100), (5, 30)]  # 8 → 10, drop 3, add 5
    response = admin_client.post(change_url(classroom), post_data(classroom, rows))
    assert response.status_code == 302
    assert tier_pairs("classroom") == [(10, 0), (5, 30), (0, 100)]
    assert AuditEntry.objects.filter(action=ACTION).count() == 1


def test_changing_the_unit_is_audited(admin_client):
    live = CancellationPolicy.objects.get(delivery="live")
    response = admin_client.post(
        change_url(live), post_data(live, [(8, 0), (3, 50), (0, 100)], unit="calendar_days")
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=ACTION)
    assert (entry.data["before"]["unit"], entry.data["after"]["unit"]) == (
        "business_days",
        "calendar_days",
    )


def test_saving_without_a_change_writes_no_audit_entry(admin_client, classroom):
    response = admin_client.post(
        change_url(classroom), post_data(classroom, [(8, 0), (3, 50), (0, 100)])
    )
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action=ACTION).exists()


def test_the_changelist_shows_every_policy_with_its_tiers(admin_client):
    response = admin_client.get(reverse("admin:cancellation_cancellationpolicy_changelist"))
    assert response.status_code == 200
    assert "8: 0 % / 3: 50 % / 0: 100 %" in response.content.decode()
    assert "1: 0 % / 0: 100 %" in response.content.decode()


# --- Validation: nothing is saved, nothing audited ----------------------------------------


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(8, 0), (3, 120), (0, 100)], "100"),  # rate above 100 (field validator)
        ([(8, 50), (3, 50), (0, 100)], "must increase"),
        ([(8, 60), (3, 50), (0, 100)], "must increase"),
        ([(8, 0), (3, 50), None], "Exactly one tier must start at 0 days before"),
        ([(8, 0), (3, 50), (0, 100), (8, 20)], "duplicate data for min_days_before"),
    ],
)
def test_r_cancel_4_invalid_tiers_are_refused_and_nothing_changes(
    admin_client, classroom, rows, message, settings
):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    response = admin_client.post(change_url(classroom), post_data(classroom, rows))
    assert message in form_errors(response)
    assert tier_pairs("classroom") == [(8, 0), (3, 50), (0, 100)]
    assert not AuditEntry.objects.filter(action=ACTION).exists()


def test_the_tier_errors_are_in_japanese_by_default(admin_client, classroom):
    response = admin_client.post(
        change_url(classroom), post_data(classroom, [(8, 50), (3, 50), (0, 100)])
    )
    assert "初日が近づくにつれて" in form_errors(response)


@pytest.mark.parametrize(
    ("pairs", "errors"),
    [
        ([(8, 0), (3, 50), (0, 100)], 0),
        ([(1, 0), (0, 100)], 0),
        ([(0, 100)], 0),
        ([(8, 0), (3, 50)], 1),  # no tier from 0 days
        ([(3, 0), (0, 100), (0, 100)], 3),  # duplicate, two from 0, not increasing
        ([(3, 0), (0, 101)], 1),
        ([(3, 50), (0, 50)], 1),
        ([], 1),
    ],
)
def test_policy_tiers_errors_counts_every_problem(pairs, errors):
    assert len(policy_tiers_errors(pairs)) == errors


# --- Permissions -------------------------------------------------------------------------


def test_reception_views_the_policy_but_cannot_change_it(client, reception, classroom):
    client.force_login(reception)
    response = client.get(change_url(classroom))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = client.post(change_url(classroom), post_data(classroom, [(8, 0), (3, 0), (0, 0)]))
    assert response.status_code == 403
    assert tier_pairs("classroom") == [(8, 0), (3, 50), (0, 100)]
    assert not AuditEntry.objects.filter(action=ACTION).exists()


def test_accounting_views_the_policy_but_cannot_change_it(client, accountant, classroom):
    client.force_login(accountant)
    assert client.get(change_url(classroom)).status_code == 200
    response = client.post(change_url(classroom), post_data(classroom, [(8, 0), (3, 0), (0, 0)]))
    assert response.status_code == 403


def test_staff_without_a_role_do_not_see_the_policy(client, classroom):
    clerk = UserFactory(staff=True)
    client.force_login(clerk)
    assert client.get(change_url(classroom)).status_code == 403


def test_the_tiers_follow_the_policy_change_permission(reception, administrator, classroom):
    inline = admin_site._registry[CancellationPolicy].get_inline_instances(
        _request(administrator), classroom
    )[0]
    assert inline.has_change_permission(_request(administrator), classroom)
    assert inline.has_view_permission(_request(reception), classroom)
    assert not inline.has_add_permission(_request(reception), classroom)
    assert not inline.has_change_permission(_request(reception), classroom)
    assert not inline.has_delete_permission(_request(reception), classroom)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_nobody_deletes_a_policy_not_even_a_superuser(classroom):
    superuser = UserFactory(staff=True, is_superuser=True)
    model_admin = admin_site._registry[CancellationPolicy]
    assert not model_admin.has_delete_permission(_request(superuser), classroom)


def test_a_policy_can_be_added_only_for_a_delivery_without_one(administrator):
    model_admin = admin_site._registry[CancellationPolicy]
    assert not model_admin.has_add_permission(_request(administrator))  # all three exist
    CancellationPolicy.objects.filter(delivery="live").delete()
    assert model_admin.has_add_permission(_request(administrator))


def test_an_administrator_restores_a_missing_policy_and_it_is_audited(admin_client, administrator):
    CancellationPolicy.objects.filter(delivery="live").delete()
    data = {
        "delivery": "live",
        "unit": "business_days",
        "tiers-TOTAL_FORMS": "2",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
        "tiers-0-min_days_before": "5",
        "tiers-0-rate": "0",
        "tiers-1-min_days_before": "0",
        "tiers-1-rate": "100",
    }
    response = admin_client.post(reverse("admin:cancellation_cancellationpolicy_add"), data)
    assert response.status_code == 302
    assert tier_pairs("live") == [(5, 0), (0, 100)]
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.data["before"] is None
    assert entry.actor == administrator
