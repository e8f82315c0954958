"""Demo data for `make run`: a small catalogue and one user of each type.

Loading is idempotent: users, organisations and courses are matched by their
natural keys; a course gets its sessions only when it has none, so running it
again (even on another day) changes nothing. The passwords are for the local
demo only and are listed in the README.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from kenshu.accounts.models import Organisation, User
from kenshu.accounts.roles import ADMINISTRATOR
from kenshu.catalog.models import Course, Session
from kenshu.core.models import ClosureDay
from kenshu.core.time import BusinessCalendar, tokyo_date, tokyo_datetime

DEMO_PASSWORD = "kenshu-demo-2026"  # noqa: S105 - public demo password, listed in the README

CUSTOMER_ORG = ("株式会社サンプル商事", "カブシキガイシャサンプルショウジ")
PARTNER_ORG = ("提携パートナー株式会社", "テイケイパートナーカブシキガイシャ")


@dataclass(frozen=True)
class DemoUser:
    username: str
    user_type: str
    last_name: str
    first_name: str
    last_name_kana: str
    first_name_kana: str
    organisation: str = ""  # "customer" or "partner"
    is_staff: bool = False


DEMO_USERS = [
    DemoUser("kojin", User.UserType.INDIVIDUAL, "山田", "花子", "ヤマダ", "ハナコ"),
    DemoUser("hojin", User.UserType.CORPORATE, "佐藤", "一郎", "サトウ", "イチロウ", "customer"),
    DemoUser(
        "group-admin", User.UserType.GROUP_APPLICANT, "鈴木", "人事", "スズキ", "ジンジ", "customer"
    ),
    DemoUser(
        "group-learner", User.UserType.GROUP_LEARNER, "高橋", "学", "タカハシ", "マナブ", "customer"
    ),
    DemoUser(
        "partner-learner",
        User.UserType.PARTNER_LEARNER,
        "田中",
        "協",
        "タナカ",
        "キョウ",
        "partner",
    ),
    DemoUser("kojin2", User.UserType.INDIVIDUAL, "山田", "次郎", "ヤマダ", "ジロウ"),
    DemoUser(
        "staff", User.UserType.INDIVIDUAL, "事務局", "太郎", "ジムキョク", "タロウ", is_staff=True
    ),
]

DEMO_COURSES = [
    # code, title, delivery, partner, fee, duration, venue
    (
        "ILC1001",
        "ビジネスマナー基礎研修",
        Course.Delivery.CLASSROOM,
        False,
        30000,
        "1日(6時間)",
        "東京研修センター 3F",
    ),
    (
        "ILC1002",
        "リーダーシップ実践研修",
        Course.Delivery.CLASSROOM,
        False,
        55000,
        "2日間",
        "大阪研修センター 5F",
    ),
    (
        "LIV2001",
        "プロジェクトマネジメント入門(ライブ)",
        Course.Delivery.LIVE,
        False,
        40000,
        "1日(6時間)",
        "オンライン(Zoom)",
    ),
    (
        "PTN4001",
        "データ分析ワークショップ(提携)",
        Course.Delivery.CLASSROOM,
        True,
        70000,
        "2日間",
        "提携パートナー 本社研修室",
    ),
    (
        "ELN3001",
        "情報セキュリティ基礎(eラーニング)",
        Course.Delivery.ELEARNING,
        False,
        8000,
        "約3時間",
        "",
    ),
    (
        "ELN3002",
        "クラウド入門(提携eラーニング)",
        Course.Delivery.ELEARNING,
        True,
        15000,
        "約6時間",
        "",
    ),
]

#: Sessions start this many days from the first load, at 10:00 Asia/Tokyo.
SESSION_OFFSETS_DAYS = [14, 42, 75, 110]


def _closures(today: dt.date) -> list[tuple[dt.date, str]]:
    days = []
    for year in (today.year - 1, today.year, today.year + 1):
        for offset in range(6):  # 12/29 .. 1/3
            day = dt.date(year, 12, 29) + dt.timedelta(days=offset)
            days.append((day, "年末年始休業"))
    return days


@transaction.atomic
def demo_data_load() -> dict[str, int]:
    """Create or update the demo rows; return how many of each were created."""
    created = {"users": 0, "courses": 0, "sessions": 0, "closure_days": 0}
    today = tokyo_date()
    for day, reason in _closures(today):
        _, new = ClosureDay.objects.get_or_create(date=day, defaults={"reason": reason})
        created["closure_days"] += new

    orgs = {
        "customer": Organisation.objects.get_or_create(
            name=CUSTOMER_ORG[0], defaults={"name_kana": CUSTOMER_ORG[1]}
        )[0],
        "partner": Organisation.objects.get_or_create(
            name=PARTNER_ORG[0],
            defaults={"name_kana": PARTNER_ORG[1], "kind": Organisation.Kind.PARTNER},
        )[0],
    }
    for demo in DEMO_USERS:
        user, new = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "email": f"{demo.username}@example.jp",
                "user_type": demo.user_type,
                "last_name": demo.last_name,
                "first_name": demo.first_name,
                "last_name_kana": demo.last_name_kana,
                "first_name_kana": demo.first_name_kana,
                "organisation": orgs.get(demo.organisation),
                "is_staff": demo.is_staff,
                "is_superuser": demo.is_staff,
            },
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created["users"] += 1
        if demo.is_staff:
            from django.contrib.auth.models import Group

            user.groups.add(Group.objects.get(name=ADMINISTRATOR))
        _verify_email(user)

    calendar = BusinessCalendar.with_closures(day for day, _reason in _closures(today))
    for index, (code, title, delivery, partner, fee, duration, venue) in enumerate(DEMO_COURSES):
        course, new = Course.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "summary": f"{title}のデモ用コースです。",
                "delivery": delivery,
                "is_partner": partner,
                "fee": fee,
                "duration": duration,
                "is_published": True,
            },
        )
        created["courses"] += new
        if course.has_sessions and not course.sessions.exists():
            for i, offset in enumerate(SESSION_OFFSETS_DAYS):
                day = calendar.next_business_day(today + dt.timedelta(days=offset + 2 * index))
                starts = tokyo_datetime(day, 10)
                Session.objects.create(
                    course=course,
                    starts_at=starts,
                    ends_at=tokyo_datetime(day, 17),
                    venue=venue,
                    online_url="https://meeting.example.jp/kenshu"
                    if delivery == Course.Delivery.LIVE
                    else "",
                    capacity=20 if i else 3,
                    deadline=tokyo_datetime(day - dt.timedelta(days=3), 17),
                )
                created["sessions"] += 1
    created["enrollments"] = _demo_activity()
    created["inventory"] = _demo_inventory()
    return created


def _demo_inventory() -> int:
    """group-admin's purchase of 3 seats, one assigned to group-learner (once)."""
    from kenshu.inventory.demo import load_inventory_demo

    users = {
        u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])
    }
    return int(bool(load_inventory_demo(users)))


def _demo_activity() -> int:
    """Applications, a full session with a waiting list, an e-learning enrolment, an
    invoice already paid: made through the services, as a customer would (once)."""
    from kenshu.billing.models import Invoice, Payment
    from kenshu.billing.services import payment_record
    from kenshu.enrollments.models import Enrollment
    from kenshu.enrollments.services import enrollment_apply, waiting_list_join

    if Enrollment.objects.exists():
        return 0
    users = {
        u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])
    }
    small = Session.objects.filter(course__code="ILC1001").order_by("starts_at").first()
    live = Session.objects.filter(course__code="LIV2001").order_by("starts_at").first()
    elearning = Course.objects.get(code="ELN3001")
    # The first ILC1001 session (3 seats) becomes full; kojin2 waits for a seat.
    for name in ("kojin", "hojin", "group-admin"):
        enrollment_apply(actor=users[name], session=small)
    waiting_list_join(actor=users["kojin2"], session=small)
    enrollment_apply(actor=users["hojin"], session=live)
    enrollment_apply(actor=users["kojin"], course=elearning)
    # Each application's invoice now (its task would issue it only after this commits).
    from kenshu.enrollments.services.completion import application_complete

    for pk in Enrollment.objects.values_list("pk", flat=True):
        application_complete(enrollment_id=pk)
    # Accounting recorded the payment of hojin's first invoice.
    invoice = Invoice.objects.filter(order__buyer=users["hojin"]).order_by("pk").first()
    payment_record(
        actor=users["staff"],
        invoice=invoice,
        amount=invoice.total,
        received_on=tokyo_date(),
        method=Payment.Method.BANK_TRANSFER,
    )
    return Enrollment.objects.count()


def _verify_email(user: User) -> None:
    """Demo users can log in at once (allauth requires a verified address)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
