"""Reads of the migration's staff pages (the review list of R-MIGRATE-2), in a fixed
number of queries whatever the number of members."""

import unicodedata

from django.db.models import Q, QuerySet
from django.db.models.functions import Concat

from kenshu.accounts.models import normalise_company_name

from .models import LegacyBooking, LegacyMember
from .problems import message

#: The review list's filters.
TO_REVIEW, REVIEWED, INDIVIDUAL, ALL = "to_review", "reviewed", "individual", "all"


def legacy_members_search(*, q: str = "", state: str = TO_REVIEW) -> QuerySet[LegacyMember]:
    """Migrated members matching every word of ``q`` (legacy member ID, user ID, email,
    name, kana, company), by legacy member ID, with their accounts."""
    members = LegacyMember.objects.select_related("user", "user__organisation").annotate(
        search_name=Concat("user__last_name", "user__first_name"),
        search_kana=Concat("user__last_name_kana", "user__first_name_kana"),
    )
    if state == TO_REVIEW:
        members = members.filter(needs_review=True)
    elif state == REVIEWED:
        members = members.filter(needs_review=False, reviewed_at__isnull=False)
    elif state == INDIVIDUAL:
        members = members.filter(handled_individually=True)
    for term in unicodedata.normalize("NFKC", q or "").split():
        members = members.filter(
            Q(legacy_member_id__icontains=term)
            | Q(user__username__icontains=term)
            | Q(user__email__icontains=term)
            | Q(search_name__icontains=term)
            | Q(search_kana__icontains=term)
            | Q(user__organisation__name_key__icontains=normalise_company_name(term))
        )
    return members.order_by("legacy_member_id", "pk")


def with_reasons(members) -> list[LegacyMember]:
    """The members, each with ``reason_texts``: its review reasons in words."""
    members = list(members)
    for member in members:
        member.reason_texts = [message(r["code"], r["params"]) for r in member.review_reasons]
    return members


def legacy_member_for_staff(*, pk: int) -> LegacyMember:
    """One migrated member with its account (raises DoesNotExist)."""
    member = LegacyMember.objects.select_related(
        "user", "user__organisation", "mapped_organisation", "reviewed_by"
    ).get(pk=pk)
    return with_reasons([member])[0]


def legacy_bookings_of(*, member: LegacyMember) -> list[LegacyBooking]:
    """The member's legacy bookings with what they became, in the order of the file."""
    return list(
        member.bookings.select_related(
            "session__course",
            "enrollment__learner",
            "inventory_item",
        ).order_by("row_number", "pk")
    )
