"""Reads of the staff area. The views check the permissions; these fetch what
each page shows in a fixed number of queries, whatever the number of rows.

Users, organisations and a user's page are here; the other parts have their own
modules: ``sessions`` (fill, rosters, e-learning completion), ``dashboard``,
``emails`` (the email log), ``audit`` (the audit trail), ``people`` (the rest of a
person's page), ``text`` (search words).
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Concat

from kenshu.accounts.models import Organisation, User, normalise_company_name
from kenshu.audit.models import AuditEntry
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import TypeChangeRequest

from .dashboard import DashboardFigures, dashboard_figures
from .text import kana_variants, search_terms

#: Entries of the "recent" lists on a user's page.
RECENT_LIMIT = 20

_search_terms = search_terms
_kana_variants = kana_variants

#: Re-exported: the dashboard view reads ``selectors.dashboard_figures``.
__all__ = ["DashboardFigures", "dashboard_figures"]


def users_search(
    *, q: str = "", user_type: str = "", organisation_id: int | None = None
) -> QuerySet[User]:
    """Users matching every word of ``q`` in user ID, email, name, kana or company
    (full names match with or without the space), by kana then user ID."""
    users = User.objects.select_related("organisation").annotate(
        search_name=Concat("last_name", "first_name"),
        search_kana=Concat("last_name_kana", "first_name_kana"),
    )
    for term in _search_terms(q):
        condition = (
            Q(username__icontains=term)
            | Q(email__icontains=term)
            | Q(search_name__icontains=term)
            | Q(organisation__name__icontains=term)
            | Q(organisation__name_key__icontains=normalise_company_name(term))
        )
        for kana in _kana_variants(term):
            condition |= Q(search_kana__icontains=kana) | Q(organisation__name_kana__icontains=kana)
        users = users.filter(condition)
    if user_type:
        users = users.filter(user_type=user_type)
    if organisation_id:
        users = users.filter(organisation_id=organisation_id)
    return users.order_by("last_name_kana", "first_name_kana", "username", "pk")


def user_for_staff(*, pk: int) -> User:
    """One user with its organisation (raises DoesNotExist)."""
    return User.objects.select_related("organisation").get(pk=pk)


def type_change_requests_about(*, user: User) -> list[TypeChangeRequest]:
    return list(
        TypeChangeRequest.objects.filter(user=user)
        .select_related("decided_by")
        .order_by("-created_at", "-pk")
    )


def audit_entries_about(
    *, user: User, requests: list[TypeChangeRequest], limit: int = RECENT_LIMIT
) -> list[AuditEntry]:
    """The latest audit entries whose target is ``user`` or one of its ``requests``."""
    user_type = ContentType.objects.get_for_model(User, for_concrete_model=False)
    condition = Q(target_type=user_type, target_id=str(user.pk))
    if requests:
        request_type = ContentType.objects.get_for_model(
            TypeChangeRequest, for_concrete_model=False
        )
        condition |= Q(target_type=request_type, target_id__in=[str(r.pk) for r in requests])
    return list(
        AuditEntry.objects.filter(condition)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )


def emails_to(*, user: User, limit: int = RECENT_LIMIT) -> list[OutboxEmail]:
    """The latest outbox emails addressed to ``user``'s email address."""
    if not user.email:
        return []
    return list(
        OutboxEmail.objects.filter(to_email__iexact=user.email)
        .only("pk", "created_at", "template", "subject", "state", "sent_at", "to_email")
        .order_by("-created_at", "-pk")[:limit]
    )


def organisations_search(*, q: str = "", kind: str = "") -> QuerySet[Organisation]:
    """Organisations matching every word of ``q`` (name or kana), with member counts."""
    organisations = Organisation.objects.annotate(member_count=Count("members"))
    for term in _search_terms(q):
        condition = Q(name__icontains=term) | Q(name_key__icontains=normalise_company_name(term))
        for kana in _kana_variants(term):
            condition |= Q(name_kana__icontains=kana)
        organisations = organisations.filter(condition)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by("name_kana", "name", "pk")


def organisation_for_staff(*, pk: int) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first()
