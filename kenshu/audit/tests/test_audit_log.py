"""audit_log: the one way to write the audit trail (ARCHITECTURE.md §8); the admin only reads it."""

import datetime as dt

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from kenshu.audit.models import AuditEntry
from kenshu.audit.services import audit_log
from kenshu.core.testing import UserFactory

pytestmark = pytest.mark.django_db


def test_audit_log_records_actor_action_target_and_data():
    staff = UserFactory(staff=True)
    member = UserFactory(corporate=True, last_name="佐藤", first_name="一郎")
    entry = audit_log(
        actor=staff,
        action="user.type_changed",
        target=member,
        data={"from": "corporate", "to": "group_applicant", "contact_date": dt.date(2026, 5, 7)},
    )

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == staff
    assert entry.action == "user.type_changed"
    assert entry.target == member
    assert entry.target_id == str(member.pk)
    assert entry.target_repr == "佐藤 一郎"
    assert entry.data == {
        "from": "corporate",
        "to": "group_applicant",
        "contact_date": "2026-05-07",
    }
    assert entry.created_at is not None


def test_audit_log_without_actor_is_the_system_and_without_target_has_none():
    entry = audit_log(actor=None, action="migration.run_finished")
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.target is None
    assert entry.target_id == ""
    assert entry.data == {}


def test_audit_log_truncates_a_long_target_description():
    member = UserFactory(last_name="佐" * 150, first_name="藤" * 150)  # str() is 301 chars
    entry = audit_log(actor=None, action="user.renamed", target=member)
    entry.refresh_from_db()
    assert entry.target_repr == str(member)[:255]
    assert entry.target == member


@pytest.mark.parametrize("action", ["", "created", "user"])
def test_audit_log_rejects_an_action_that_is_not_a_dotted_name(action):
    with pytest.raises(ValueError, match="dotted"):
        audit_log(actor=None, action=action)
    assert not AuditEntry.objects.exists()


def test_the_audit_entry_rolls_back_with_its_transaction():
    member = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(actor=None, action="user.deactivated", target=member)
        assert AuditEntry.objects.count() == 1
        raise RuntimeError("the service failed after writing its audit entry")
    assert not AuditEntry.objects.exists()


def test_the_entries_of_a_target_are_found_by_type_and_id():
    first, second = UserFactory(), UserFactory()
    audit_log(actor=None, action="user.created", target=first)
    audit_log(actor=None, action="user.created", target=second)
    audit_log(actor=None, action="user.type_changed", target=first)
    entries = AuditEntry.objects.filter(target_id=str(first.pk))
    assert [e.action for e in entries] == ["user.type_changed", "user.created"]  # newest first


# --- The admin is read-only ------------------------------------------------------


@pytest.fixture
def superuser():
    return UserFactory(staff=True, is_superuser=True, username="root", email="root@example.jp")


@pytest.fixture
def entry():
    return audit_log(actor=None, action="user.created", target=UserFactory())


def test_the_audit_admin_permits_no_add_change_or_delete_even_for_a_superuser(superuser, entry):
    model_admin = admin_site._registry[AuditEntry]
    request = RequestFactory().get("/admin/audit/auditentry/")
    request.user = superuser
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_the_audit_changelist_shows_the_entries(client, superuser, entry):
    client.force_login(superuser)
    response = client.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 200
    assert "user.created" in response.content.decode()


def test_the_audit_admin_refuses_add_change_and_delete_over_http(client, superuser, entry):
    client.force_login(superuser)
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200  # a read-only view
    response = client.post(change_url, {"action": "user.tampered"})
    assert response.status_code == 403
    delete_url = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "user.created"
