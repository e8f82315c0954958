import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A company (会社名): customers' organisations and partner organisations."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PARTNER = "partner", _("Partner")

    name = models.CharField(_("company name"), max_length=200)
    #: The name with full/half-width and spaces folded: how duplicates are found.
    name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    name_kana = models.CharField(_("company name (kana)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CUSTOMER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name_kana", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = normalise_company_name(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


def normalise_company_name(name: str) -> str:
    """Full/half-width and spaces folded: 「株式会社　サンプル」 == 「株式会社サンプル」."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


class User(AbstractUser):
    """A person with a login. ``username`` is the user ID (ユーザーID).

    Emails are not unique: one person may hold an individual and a corporate
    account (R-ACCT-1).
    """

    class UserType(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        CORPORATE = "corporate", _("Corporate")
        GROUP_APPLICANT = "group_applicant", _("Corporate-group applicant")
        GROUP_LEARNER = "group_learner", _("Corporate-group learner")
        PARTNER_LEARNER = "partner_learner", _("Partner learner")

    #: Types that may apply for themselves (R-TYPE, DOMAIN.md §2).
    SELF_APPLYING_TYPES = frozenset(
        {UserType.INDIVIDUAL, UserType.CORPORATE, UserType.GROUP_APPLICANT}
    )
    #: Types that belong to an organisation (R-TYPE-3).
    ORGANISATION_TYPES = frozenset(
        {
            UserType.CORPORATE,
            UserType.GROUP_APPLICANT,
            UserType.GROUP_LEARNER,
            UserType.PARTNER_LEARNER,
        }
    )

    username = models.CharField(
        _("user ID"),
        max_length=150,
        unique=True,
        help_text=_("Letters, digits and @/./+/-/_ only. Your email address works too."),
        validators=[AbstractUser.username_validator],
        error_messages={"unique": _("This user ID is already taken.")},
    )
    email = models.EmailField(_("email address"), blank=True, db_index=True)
    last_name_kana = models.CharField(_("family name (kana)"), max_length=150, blank=True)
    first_name_kana = models.CharField(_("given name (kana)"), max_length=150, blank=True)
    user_type = models.CharField(
        _("user type"), max_length=20, choices=UserType.choices, default=UserType.INDIVIDUAL
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    department = models.CharField(_("department"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("email language"),
        max_length=8,
        choices=[("ja", _("Japanese")), ("en", _("English"))],
        default="ja",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    user_type__in=[
                        "individual",
                        "corporate",
                        "group_applicant",
                        "group_learner",
                        "partner_learner",
                    ]
                ),
                name="user_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        """Japanese order: family name first."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def can_apply_for_self(self) -> bool:
        return self.user_type in self.SELF_APPLYING_TYPES
