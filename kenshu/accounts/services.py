"""Writes on users and organisations (R-ACCT, R-TYPE-4). One service = one transaction."""

import unicodedata

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from kenshu.audit.services import audit_log
from kenshu.core.exceptions import InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.notifications.services import email_queue

from .models import Organisation, User, normalise_company_name


def organisation_for_name(*, name: str, name_kana: str = "") -> Organisation:
    """The customer organisation of that (normalised) name, created if missing."""
    key = normalise_company_name(name)
    if not key:
        raise InvalidState(_("A company name is required."))
    existing = (
        Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER, name_key=key)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    return Organisation.objects.create(
        name=unicodedata.normalize("NFKC", name).strip(),
        name_kana=name_kana,
        kind=Organisation.Kind.CUSTOMER,
    )


def user_registered(*, user: User, company_name: str = "", company_kana: str = "") -> User:
    """Finish a self-registration (R-ACCT-1): attach a corporate user to its organisation.

    Called by the signup flow inside its transaction, after the user row exists.
    """
    if user.user_type not in (User.UserType.INDIVIDUAL, User.UserType.CORPORATE):
        raise NotPermitted(_("Only individual or corporate accounts can be registered."))
    if user.user_type == User.UserType.CORPORATE:
        user.organisation = organisation_for_name(name=company_name, name_kana=company_kana)
        user.save(update_fields=["organisation"])
    audit_log(
        actor=user,
        action="user.registered",
        target=user,
        data={"user_type": user.user_type, "organisation": company_name},
    )
    return user


def user_welcome(*, user: User) -> None:
    """Queue the welcome email with the user ID (after the address is verified), once.

    Not after an email change: the new address is confirmed while the old one is
    still verified (allauth removes it just after), and a "registration complete"
    email would be wrong there.
    """
    from allauth.account.models import EmailAddress

    if EmailAddress.objects.filter(user=user, verified=True).count() > 1:
        return
    email_queue(
        template="welcome",
        to=user.email,
        language=user.language,
        context={"user_id": user.username, "name": user.full_name},
        related=user,
        dedup_key=f"welcome:{user.pk}",
    )


def user_profile_update(*, actor: User, user: User, **fields) -> User:
    """Change name, kana and department of ``user`` (itself, or staff)."""
    allowed = {"last_name", "first_name", "last_name_kana", "first_name_kana", "department"}
    if set(fields) - allowed:
        raise NotPermitted(_("These fields cannot be changed here."))
    if actor.pk != user.pk and not actor.has_perm("accounts.change_user"):
        raise NotPermitted()
    with transaction.atomic():
        (user,) = lock_rows(User.objects.all(), [user.pk])
        before = {name: getattr(user, name) for name in fields}
        for name, value in fields.items():
            setattr(user, name, value)
        # Validate only what changes: a user whose other fields do not pass
        # today's validators (e.g. a legacy user ID carried over by the
        # migration) can still edit its name and department.
        user.full_clean(exclude=[f.name for f in user._meta.fields if f.name not in fields])
        user.save(update_fields=list(fields))
        changed = {k: [before[k], v] for k, v in fields.items() if before[k] != v}
        if changed:
            audit_log(actor=actor, action="user.profile_updated", target=user, data=changed)
    return user


def user_type_change(
    *,
    actor: User,
    user: User,
    user_type: str,
    organisation: Organisation | None = None,
    reason: str = "",
) -> User:
    """Staff change ``user``'s type and organisation directly (R-TYPE-4)."""
    if not actor.has_perm("accounts.change_user"):
        raise NotPermitted()
    return user_type_set(
        actor=actor, user=user, user_type=user_type, organisation=organisation, reason=reason
    )


def user_type_set(
    *,
    actor: User | None,
    user: User,
    user_type: str,
    organisation: Organisation | None = None,
    reason: str = "",
) -> User:
    """Set the type (and organisation) of ``user``: audited, and the user is emailed.

    The caller has checked the actor's right (``user_type_change`` for staff,
    the request decision for an approved type-change request).
    """
    if user_type not in User.UserType.values:
        raise InvalidState(_("Unknown user type."))
    with transaction.atomic():
        (user,) = lock_rows(get_user_model().objects.all(), [user.pk])
        new_org = organisation if organisation is not None else user.organisation
        if user_type not in User.ORGANISATION_TYPES:
            new_org = None  # individuals belong to no organisation (R-TYPE-3)
        if user_type in User.ORGANISATION_TYPES and new_org is None:
            raise InvalidState(_("This user type needs an organisation."))
        before = (user.user_type, user.organisation_id)
        if before == (user_type, new_org.pk if new_org else None):
            return user
        user.user_type = user_type
        user.organisation = new_org
        user.save(update_fields=["user_type", "organisation"])
        audit_log(
            actor=actor,
            action="user.type_changed",
            target=user,
            data={
                "from": before[0],
                "to": user_type,
                "organisation_from": before[1],
                "organisation_to": new_org.pk if new_org else None,
                "reason": reason,
            },
        )
        email_queue(
            template="user_type_changed",
            to=user.email,
            language=user.language,
            context={
                "name": user.full_name,
                "user_id": user.username,
                "old_type": before[0],
                "new_type": user_type,
            },
            related=user,
        )
    return user


def user_organisation_set(
    *, actor: User, user: User, organisation: Organisation, reason: str = ""
) -> User:
    """Staff move ``user`` to another organisation, keeping its type (R-TYPE-3): audited
    (``user.organisation_changed``). Individuals belong to no organisation."""
    if not actor.has_perm("accounts.change_user"):
        raise NotPermitted()
    if organisation is None:
        raise InvalidState(_("This user type needs an organisation."))
    with transaction.atomic():
        (user,) = lock_rows(get_user_model().objects.all(), [user.pk])
        if user.user_type not in User.ORGANISATION_TYPES:
            raise InvalidState()
        before = user.organisation_id
        if before == organisation.pk:
            return user
        user.organisation = organisation
        user.save(update_fields=["organisation"])
        audit_log(
            actor=actor,
            action="user.organisation_changed",
            target=user,
            data={"from": before, "to": organisation.pk, "reason": reason},
        )
    return user


def user_ids_remind(*, email: str, language: str = "ja") -> bool:
    """Forgot user ID (R-ACCT-3): email every user ID registered to ``email``.

    Sent from the no-reply address, only if the address is known; returns
    whether it was. Runs in a background task so that the page answers in the
    same time whether or not the address is known.
    """
    users = list(
        User.objects.filter(email__iexact=email.strip(), is_active=True)
        .order_by("date_joined", "pk")
        .only("username", "last_name", "first_name", "language")
    )
    if not users:
        return False
    with transaction.atomic():
        email_queue(
            template="forgot_user_id",
            to=email.strip(),
            language=language,
            context={
                "user_ids": [u.username for u in users],
                "name": users[0].full_name,
            },
        )
    return True


def user_email_verified(*, user: User) -> None:
    """Mark ``user.email`` as verified and primary (allauth's address record)."""
    from allauth.account.models import EmailAddress

    if not user.email:
        return
    with transaction.atomic():
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
