"""Shared test helpers: factory_boy factories for people, organisations and the catalogue.

Import them in any app's tests::

    from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory

    learner = UserFactory()                                   # an individual
    buyer = UserFactory(group_applicant=True)                 # with its own organisation
    colleague = UserFactory(group_learner=True, organisation=buyer.organisation)
    clerk = UserFactory(staff=True, groups=[roles.RECEPTION])
    session = SessionFactory(course__delivery=Course.Delivery.LIVE, capacity=2)
    session = SessionFactory(starts_on=date(2026, 5, 11))     # 10:00 JST that day

Every user's password is ``DEFAULT_PASSWORD`` (``client.login(username=u.username,
password=DEFAULT_PASSWORD)``; ``client.force_login(u)`` is quicker). Users of a
type that belongs to an organisation (R-TYPE-3) get one unless given one.

Helpers for the set-up several apps' tests share::

    user = verified(UserFactory())          # can log in through allauth (verified address)
    clerk = make_staff(roles.RECEPTION)     # or make_staff("no role")
    sato = corporate_customer()             # 佐藤 花子, sato-corp, of 株式会社サンプル
    request = make_type_change_request(sato)  # an open type-change request
    organisation = sample_organisation()    # 株式会社サンプル
    hr = group_admin(organisation)          # 鈴木 人事, group-admin, its group applicant
    learner = group_colleague(organisation) # 高橋 学, group-learner, one of its learners
    session = classroom_session()           # ILC1234 ビジネス文書研修, 30 days ahead
    item = inventory_buy(hr, session, 2, assign_to=[learner])  # through the services
    clock = Clock(monkeypatch).day(date(2026, 5, 11))  # ``ktime.now`` pinned and movable

kenshu/conftest.py makes fixtures of some of them (``sato``, ``reception``, ...).
This module is for tests only: it needs ``factory_boy`` (a dev dependency).
"""

import datetime as dt

import factory
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from kenshu.accounts.models import Organisation, User
from kenshu.catalog.models import Course, Session
from kenshu.core import time as ktime
from kenshu.core.models import ClosureDay
from kenshu.core.time import tokyo_date, tokyo_datetime
from kenshu.inventory.models import InventoryItem, Seat
from kenshu.inventory.services import inventory_purchase, seat_assign
from kenshu.requests.models import TypeChangeRequest

DEFAULT_PASSWORD = "kenshu-test-password-1"  # noqa: S105  (tests only)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"株式会社テスト{n}")
    name_kana = factory.Sequence(lambda n: f"テスト{n}")
    kind = Organisation.Kind.CUSTOMER

    class Params:
        partner = factory.Trait(
            kind=Organisation.Kind.PARTNER,
            name=factory.Sequence(lambda n: f"提携パートナー株式会社{n}"),
            name_kana=factory.Sequence(lambda n: f"テイケイパートナー{n}"),
        )


class UserFactory(DjangoModelFactory):
    """An active individual user by default; traits pick the other types (DOMAIN.md §2)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.jp")
    password = factory.django.Password(DEFAULT_PASSWORD)
    last_name = "山田"
    first_name = factory.Sequence(lambda n: f"太郎{n}")
    last_name_kana = "ヤマダ"
    first_name_kana = "タロウ"
    user_type = User.UserType.INDIVIDUAL
    is_active = True
    organisation = factory.Maybe(
        factory.LazyAttribute(lambda o: o.user_type in User.ORGANISATION_TYPES),
        yes_declaration=factory.SubFactory(
            OrganisationFactory,
            partner=factory.LazyAttribute(
                lambda org: org.factory_parent.user_type == User.UserType.PARTNER_LEARNER
            ),
        ),
        no_declaration=None,
    )

    class Params:
        corporate = factory.Trait(user_type=User.UserType.CORPORATE)
        group_applicant = factory.Trait(user_type=User.UserType.GROUP_APPLICANT)
        group_learner = factory.Trait(user_type=User.UserType.GROUP_LEARNER)
        partner_learner = factory.Trait(user_type=User.UserType.PARTNER_LEARNER)
        staff = factory.Trait(
            is_staff=True,
            username=factory.Sequence(lambda n: f"staff{n:04d}"),
            last_name="事務局",
        )

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """``groups=["reception", ...]``: role group names (kenshu.accounts.roles) to join."""
        if not create or not extracted:
            return
        self.groups.add(*(Group.objects.get(name=name) for name in extracted))


def _default_start_day() -> dt.date:
    return tokyo_date() + dt.timedelta(days=30)


class CourseFactory(DjangoModelFactory):
    """A published classroom course; ``delivery=`` / traits ``live``, ``elearning``."""

    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"TC{n:04d}")
    title = factory.Sequence(lambda n: f"テスト研修{n}")
    summary = "研修の概要です。"
    delivery = Course.Delivery.CLASSROOM
    is_partner = False
    fee = 50_000
    duration = "1日(7時間)"
    is_published = True

    class Params:
        live = factory.Trait(delivery=Course.Delivery.LIVE)
        elearning = factory.Trait(delivery=Course.Delivery.ELEARNING)
        partner = factory.Trait(is_partner=True)


class SessionFactory(DjangoModelFactory):
    """An open session 30 days ahead, 10:00–17:00 Asia/Tokyo, 20 seats.

    ``starts_on=<date>`` (and ``start_hour=``) place it on a given Tokyo day; or
    pass ``starts_at`` directly. The deadline is the day before at the same time.
    """

    class Meta:
        model = Session

    class Params:
        starts_on = factory.LazyFunction(_default_start_day)
        start_hour = 10

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyAttribute(lambda o: tokyo_datetime(o.starts_on, o.start_hour))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=7))
    deadline = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(days=1))
    capacity = 20
    venue = factory.LazyAttribute(
        lambda o: "" if o.course.delivery == Course.Delivery.LIVE else "東京本社 研修室A"
    )
    online_url = factory.LazyAttribute(
        lambda o: (
            "https://meet.example.jp/kenshu" if o.course.delivery == Course.Delivery.LIVE else ""
        )
    )
    state = Session.State.OPEN


class ClosureDayFactory(DjangoModelFactory):
    class Meta:
        model = ClosureDay
        django_get_or_create = ("date",)

    date = factory.Sequence(lambda n: dt.date(2030, 1, 1) + dt.timedelta(days=n))
    reason = "休業日"


def new_year_closures(year: int) -> list[ClosureDay]:
    """The provider's new-year closure, 12/29 of ``year`` to 1/3 of the next (saved)."""
    start = dt.date(year, 12, 29)
    return [
        ClosureDayFactory(date=start + dt.timedelta(days=i), reason="年末年始休業")
        for i in range(6)
    ]


# --- people and requests the tests of several apps share --------------------------------


def verified(user: User) -> User:
    """Give ``user`` the verified primary address allauth asks for at login
    (ACCOUNT_EMAIL_VERIFICATION = "mandatory")."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


#: ``make_staff(NO_ROLE)``: a staff member who has not been given a role yet.
NO_ROLE = "no role"


def make_staff(role: str, **kwargs) -> User:
    """An active staff member with ``role`` (a group of kenshu.accounts.roles, or NO_ROLE)."""
    groups = [] if role == NO_ROLE else [role]
    return UserFactory(staff=True, groups=groups, **kwargs)


def corporate_customer(**kwargs) -> User:
    """佐藤 花子 (サトウ ハナコ), user ID ``sato-corp``, ``sato@example.jp``: a corporate
    user of 株式会社サンプル (unless given another ``organisation``)."""
    fields = {
        "corporate": True,
        "username": "sato-corp",
        "email": "sato@example.jp",
        "last_name": "佐藤",
        "first_name": "花子",
        "last_name_kana": "サトウ",
        "first_name_kana": "ハナコ",
        **kwargs,
    }
    if "organisation" not in fields:
        fields["organisation"] = OrganisationFactory(name="株式会社サンプル")
    return UserFactory(**fields)


def make_type_change_request(user: User | None = None, **fields) -> TypeChangeRequest:
    """An open request of ``user`` (a new corporate user by default) to become a group
    applicant, as the service would have made it (without its emails and audit entry)."""
    user = user or UserFactory(corporate=True)
    fields.setdefault("contact_date", dt.date(2026, 5, 11))
    fields.setdefault("company_name", user.organisation.name if user.organisation_id else "")
    return TypeChangeRequest.objects.create(
        requester=user,
        user=user,
        requested_type="group_applicant",
        user_id_text=user.username,
        full_name=user.full_name,
        **fields,
    )


# --- group applicants, their learners and their seats -----------------------------------


def sample_organisation(**kwargs) -> Organisation:
    """株式会社サンプル (サンプル), a customer organisation."""
    return OrganisationFactory(**{"name": "株式会社サンプル", "name_kana": "サンプル", **kwargs})


def group_admin(organisation: Organisation, **kwargs) -> User:
    """鈴木 人事 (``group-admin``, ``jinji@sample.example.jp``), the group applicant (HR)
    of ``organisation``."""
    fields = {
        "username": "group-admin",
        "email": "jinji@sample.example.jp",
        "last_name": "鈴木",
        "first_name": "人事",
        "last_name_kana": "スズキ",
        "first_name_kana": "ジンジ",
        **kwargs,
    }
    return UserFactory(group_applicant=True, organisation=organisation, **fields)


def group_colleague(organisation: Organisation, **kwargs) -> User:
    """高橋 学 (``group-learner``, ``takahashi@sample.example.jp``), a group learner of
    ``organisation`` (other names, user ID or address through ``kwargs``)."""
    fields = {
        "username": "group-learner",
        "email": "takahashi@sample.example.jp",
        "last_name": "高橋",
        "first_name": "学",
        "last_name_kana": "タカハシ",
        "first_name_kana": "マナブ",
        **kwargs,
    }
    return UserFactory(group_learner=True, organisation=organisation, **fields)


def classroom_session(**kwargs) -> Session:
    """An open session of the classroom course ILC1234 ビジネス文書研修 (fee 50,000 yen),
    30 days ahead, 20 seats unless ``kwargs`` say otherwise (SessionFactory's)."""
    return SessionFactory(
        **{"course__code": "ILC1234", "course__title": "ビジネス文書研修", **kwargs}
    )


def inventory_buy(
    applicant: User, session: Session, quantity: int = 2, *, assign_to=()
) -> InventoryItem:
    """``applicant`` buys ``quantity`` seats of ``session`` and assigns the first ones to
    the learners ``assign_to``, through the inventory services. Returns the purchase."""
    item = inventory_purchase(actor=applicant, session=session, quantity=quantity)
    seats = list(Seat.objects.filter(item=item).order_by("pk"))
    for seat, learner in zip(seats, assign_to, strict=False):
        seat_assign(actor=applicant, seat=seat, learner=learner)
    return item


class Clock:
    """``kenshu.core.time.now`` pinned to a Tokyo day and hour (what every service
    reads as "today"), moved with ``day()``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.value = ktime.now()
        monkeypatch.setattr(ktime, "now", lambda: self.value)

    def day(self, day: dt.date, hour: int = 10) -> "Clock":
        self.value = ktime.tokyo_datetime(day, hour)
        return self

    @property
    def today(self) -> dt.date:
        return ktime.tokyo_date(self.value)
