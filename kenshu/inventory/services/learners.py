"""The learners of a group applicant (R-APPLY-2, R-TYPE-3): invite, re-invite, accept.

- ``learner_invite``: the applicant creates the account of a new colleague (a group
  learner of its organisation; a partner learner when the organisation is a partner),
  without a usable password, and the colleague is emailed a link to set one.
  An address that already belongs to a learner of the same organisation gives that
  learner back (no second account); an address of a user of another organisation is
  refused.
- ``learner_invitation_resend``: a new link (the old ones stop working).
- ``learner_invitation_accept``: the colleague sets its password through the link
  (once, before it expires); its address counts as verified from then on.
"""

from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kenshu.accounts import policy
from kenshu.accounts.models import Organisation, User
from kenshu.accounts.policy import Action
from kenshu.accounts.services import user_email_verified
from kenshu.accounts.validators import normalise_kana, validate_kana
from kenshu.audit.services import audit_log
from kenshu.core import time as ktime
from kenshu.notifications.services import email_queue

from ..exceptions import (
    EmailOfAnotherOrganisation,
    EmailOfGroupLearner,
    EmailOfNonLearner,
    InvalidLearnerData,
    InvitationInvalid,
    InvitationNotNeeded,
    NoOrganisation,
    NotInGroup,
    OwnEmail,
    UserIdOfAnotherLearner,
    UserIdTaken,
)
from ..tokens import invitation_days, invitation_path, invitation_token_generator

#: The user types a group applicant may give a seat to (besides itself).
LEARNER_TYPES = (User.UserType.GROUP_LEARNER, User.UserType.PARTNER_LEARNER)

NAME_MAX = 150


@dataclass(frozen=True)
class LearnerData:
    """A colleague as typed (form) or read from a file (bulk)."""

    last_name: str
    first_name: str = ""
    last_name_kana: str = ""
    first_name_kana: str = ""
    email: str = ""
    username: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


@dataclass(frozen=True)
class LearnerMatch:
    """Who ``LearnerData`` stands for: an existing user, or a new learner to create."""

    user: User | None
    data: LearnerData

    @property
    def is_new(self) -> bool:
        return self.user is None


def learner_type_for(organisation: Organisation) -> str:
    """R-TYPE-3: a partner's applicants assign partner learners; customers', group learners."""
    if organisation.kind == Organisation.Kind.PARTNER:
        return User.UserType.PARTNER_LEARNER
    return User.UserType.GROUP_LEARNER


def is_group_member(*, applicant: User, learner: User, organisation_id: int | None = None) -> bool:
    """``learner`` may hold a seat bought by ``applicant``: itself, or an active learner of
    the organisation (of the purchase, ``organisation_id``, else the applicant's)."""
    if learner.pk == applicant.pk:
        return True
    org_id = organisation_id or applicant.organisation_id
    return bool(
        learner.is_active
        and org_id
        and learner.organisation_id == org_id
        and learner.user_type in LEARNER_TYPES
    )


def require_group_member(*, applicant: User, learner: User, organisation) -> None:
    if not is_group_member(applicant=applicant, learner=learner, organisation_id=organisation.pk):
        raise NotInGroup(name=learner.full_name or learner.username, organisation=organisation.name)


def clean_learner_data(data: LearnerData) -> LearnerData:
    """Format checks of a colleague's details (the forms check the same; files do not)."""
    last_name = (data.last_name or "").strip()
    first_name = (data.first_name or "").strip()
    email = (data.email or "").strip()
    username = (data.username or "").strip()
    if not last_name:
        raise InvalidLearnerData(_("The name is missing."))
    if len(last_name) > NAME_MAX or len(first_name) > NAME_MAX:
        raise InvalidLearnerData(_("The name is too long (150 characters at most)."))
    kana = [normalise_kana(data.last_name_kana), normalise_kana(data.first_name_kana)]
    try:
        for value in kana:
            validate_kana(value)
            if len(value) > NAME_MAX:
                raise ValidationError("too long")
    except ValidationError as exc:
        raise InvalidLearnerData(
            _("The kana is not valid: please write it in katakana or hiragana.")
        ) from exc
    if not email:
        raise InvalidLearnerData(_("The email address is missing."))
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidLearnerData(
            _("The email address %(email)s is not valid."), email=email
        ) from exc
    if username:
        try:
            AbstractUser.username_validator(username)
        except ValidationError as exc:
            raise InvalidLearnerData(
                _("The user ID %(user_id)s is not valid: use letters, digits and @/./+/-/_ only."),
                user_id=username,
            ) from exc
        if len(username) > 150:
            raise InvalidLearnerData(_("The user ID is too long (150 characters at most)."))
    return LearnerData(last_name, first_name, kana[0], kana[1], email, username)


def learner_match(*, applicant: User, data: LearnerData, allow_self: bool = True) -> LearnerMatch:
    """Who the cleaned ``data`` is in ``applicant``'s group, or a new learner (not saved).

    Raises ``OwnEmail`` (when not ``allow_self``), ``EmailOfAnotherOrganisation``,
    ``EmailOfNonLearner``, ``UserIdTaken`` or ``UserIdOfAnotherLearner``.
    """
    org_id = applicant.organisation_id
    if data.username:
        by_id = User.objects.filter(username=data.username).first()
        if by_id is not None:
            if not is_group_member(applicant=applicant, learner=by_id) or (
                by_id.pk == applicant.pk and not allow_self
            ):
                raise UserIdTaken(user_id=data.username)
            if by_id.email.casefold() != data.email.casefold():
                raise UserIdOfAnotherLearner(
                    user_id=data.username, name=by_id.full_name, email=data.email
                )
            return LearnerMatch(by_id, data)
    same_email = list(User.objects.filter(email__iexact=data.email).order_by("pk"))
    if any(u.pk == applicant.pk for u in same_email):
        if not allow_self:
            raise OwnEmail()
        if not data.username:
            return LearnerMatch(applicant, data)
    ours = [u for u in same_email if u.organisation_id == org_id and u.pk != applicant.pk]
    learners = [u for u in ours if u.user_type in LEARNER_TYPES and u.is_active]
    if learners and not data.username:
        return LearnerMatch(learners[0], data)
    if any(u.organisation_id and u.organisation_id != org_id for u in same_email):
        raise EmailOfAnotherOrganisation(email=data.email)
    if learners:  # a learner of ours has this address, but another user ID was given
        raise EmailOfGroupLearner(
            email=data.email, name=learners[0].full_name, user_id=learners[0].username
        )
    others = [u for u in ours if u.user_type not in LEARNER_TYPES or not u.is_active]
    if others:
        raise EmailOfNonLearner(
            email=data.email, name=others[0].full_name, type=others[0].get_user_type_display()
        )
    username = data.username or data.email
    if User.objects.filter(username=username).exists():
        raise UserIdTaken(user_id=username)
    return LearnerMatch(None, replace(data, username=username))


def learner_create(*, actor: User, applicant: User, data: LearnerData) -> User:
    """Create a new learner of ``applicant``'s group from ``data`` (as ``learner_match`` gave
    it) and queue its invitation, in the caller's transaction."""
    organisation = applicant.organisation
    user = User(
        username=data.username,
        email=data.email,
        last_name=data.last_name,
        first_name=data.first_name,
        last_name_kana=data.last_name_kana,
        first_name_kana=data.first_name_kana,
        user_type=learner_type_for(organisation),
        organisation=organisation,
        language=applicant.language,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as exc:  # a racing invitation took the user ID
        if User.objects.filter(username=data.username).exists():
            raise UserIdTaken(user_id=data.username) from exc
        raise
    audit_log(
        actor=actor,
        action="user.invited",
        target=user,
        data={
            "applicant": applicant.username,
            "organisation": organisation.pk,
            "user_type": user.user_type,
        },
    )
    _queue_invitation(user=user, applicant=applicant)
    return user


def _queue_invitation(*, user: User, applicant: User) -> None:
    email_queue(
        template="learner_invitation",
        to=user.email,
        language=user.language,
        context={
            "name": user.full_name or user.username,
            "user_id": user.username,
            "applicant_name": applicant.full_name or applicant.username,
            "organisation": applicant.organisation.name if applicant.organisation_id else "",
            "invitation_path": invitation_path(user),
            "days": invitation_days(),
        },
        related=user,
    )


def _require_applicant(actor: User) -> None:
    policy.require(actor, Action.BUY_FOR_OTHERS)
    if not actor.organisation_id:
        raise NoOrganisation()


def learner_invite(
    *,
    actor: User,
    last_name: str,
    first_name: str = "",
    last_name_kana: str = "",
    first_name_kana: str = "",
    email: str,
    username: str | None = None,
) -> User:
    """A group applicant (``actor``) adds a colleague to its group and invites it.

    Returns the new learner, or the existing learner of the same organisation with that
    address (nothing is changed then). Raises ``InvalidLearnerData``, ``OwnEmail``,
    ``EmailOfAnotherOrganisation``, ``EmailOfNonLearner``, ``UserIdTaken``.
    """
    _require_applicant(actor)
    data = clean_learner_data(
        LearnerData(last_name, first_name, last_name_kana, first_name_kana, email, username or "")
    )
    with transaction.atomic():
        match = learner_match(applicant=actor, data=data, allow_self=False)
        if not match.is_new:
            return match.user
        return learner_create(actor=actor, applicant=actor, data=match.data)


def learner_invitation_resend(*, actor: User, learner: User) -> User:
    """Send ``learner`` a new invitation; the links sent before stop working."""
    _require_applicant(actor)
    if not is_group_member(applicant=actor, learner=learner) or learner.pk == actor.pk:
        raise NotInGroup(
            name=learner.full_name or learner.username, organisation=actor.organisation.name
        )
    with transaction.atomic():
        learner = User.objects.select_for_update().get(pk=learner.pk)
        if learner.has_usable_password():
            raise InvitationNotNeeded(name=learner.full_name or learner.username)
        learner.set_unusable_password()  # a new random hash: older tokens no longer match
        learner.save(update_fields=["password"])
        audit_log(actor=actor, action="user.invitation_resent", target=learner)
        _queue_invitation(user=learner, applicant=actor)
    return learner


def learner_invitation_check(*, learner: User | None, token: str) -> bool:
    """The link works: the user exists, is active, has no password yet and the token fits."""
    return bool(
        learner is not None
        and learner.is_active
        and not learner.has_usable_password()
        and invitation_token_generator.check_token(learner, token)
    )


def learner_invitation_accept(*, learner: User, token: str, password: str) -> User:
    """The invited learner sets its password (already validated by the form)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().filter(pk=learner.pk).first()
        if not learner_invitation_check(learner=locked, token=token):
            raise InvitationInvalid()
        locked.set_password(password)
        locked.save(update_fields=["password"])
        user_email_verified(user=locked)
        audit_log(
            actor=locked,
            action="user.invitation_accepted",
            target=locked,
            data={"at": ktime.now().isoformat()},
        )
    return locked
