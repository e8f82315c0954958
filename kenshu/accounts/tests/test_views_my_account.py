"""My Account, /account/ (R-ACCT-5, R-TYPE-1, R-TYPE-2): the profile, links to change
it, the sections later issues fill in, and the user type in words at the bottom,
with, for learners, why they cannot apply and whom to ask. The user type is also
put in words in the "user type changed" email (same labels)."""

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template

from kenshu.accounts.models import User
from kenshu.accounts.services import user_type_set
from kenshu.core.testing import OrganisationFactory, UserFactory
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_render

pytestmark = pytest.mark.django_db

URL = "/account/"
JAPANESE_TYPES = {
    "individual": "個人",
    "corporate": "法人",
    "group_applicant": "法人グループ申込者",
    "group_learner": "法人グループ受講者",
    "partner_learner": "パートナー受講者",
}


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/"


def test_the_profile_is_shown_with_links_to_change_it_r_acct_5(client):
    org = OrganisationFactory(name="株式会社サンプル")
    user = UserFactory(
        username="hanako-corp",
        email="hanako@example.jp",
        last_name="佐藤",
        first_name="花子",
        last_name_kana="サトウ",
        first_name_kana="ハナコ",
        corporate=True,
        organisation=org,
        department="人事部",
    )
    html = page_of(client, user)
    for text in ("hanako-corp", "佐藤 花子", "サトウ ハナコ", "hanako@example.jp"):
        assert text in html
    assert "株式会社サンプル" in html and "人事部" in html
    assert 'href="/account/profile/"' in html
    assert 'href="/accounts/email/"' in html
    assert 'href="/accounts/password/change/"' in html
    assert 'href="/accounts/2fa/"' not in html  # for staff only


@pytest.mark.parametrize("code,label", JAPANESE_TYPES.items())
def test_the_user_type_is_shown_in_japanese_words_at_the_bottom_r_type_1(client, code, label):
    html = page_of(client, UserFactory(user_type=code))
    assert f"ユーザー種別：{label}</p>" in html
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    # Below every section of the page.
    assert main.rindex("</section>") > main.index('id="user-type"')  # its own section...
    assert main.index('id="user-type"') > main.rindex('class="card side-card')


def test_the_user_type_is_in_english_when_english_is_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page_of(client, UserFactory(corporate=True))
    assert "User type: Corporate</p>" in html
    assert "My Account" in html


def test_every_user_sees_the_applications_and_requests_sections_r_acct_5(client):
    html = page_of(client, UserFactory())
    assert "お申込み一覧" in html
    assert "ご依頼" in html and 'href="/account/requests/"' in html
    assert "インベントリ" not in html and ">グループ<" not in html


def test_a_group_applicant_also_sees_the_inventory_and_group_sections_r_acct_5(client):
    html = page_of(client, UserFactory(group_applicant=True))
    assert "インベントリ" in html and ">グループ</h2>" in html


def test_a_corporate_user_can_ask_to_become_a_group_applicant_r_type_4(client):
    assert 'href="/requests/type-change/"' in page_of(client, UserFactory(corporate=True))
    assert 'href="/requests/type-change/"' not in page_of(client, UserFactory())
    assert 'href="/requests/type-change/"' not in page_of(client, UserFactory(group_applicant=True))


def test_a_group_learner_is_told_it_cannot_apply_and_whom_to_ask_r_type_2(client):
    org = OrganisationFactory(name="株式会社サンプル")
    UserFactory(group_applicant=True, organisation=org, last_name="鈴木", first_name="一郎")
    learner = UserFactory(group_learner=True, organisation=org)

    html = page_of(client, learner)

    assert "ご自身でのお申し込みはできません" in html
    assert "鈴木 一郎(株式会社サンプル)" in html
    assert html.index("ユーザー種別：法人グループ受講者") < html.index("鈴木 一郎")


def test_a_learner_without_an_applicant_is_told_to_ask_its_training_department(client):
    html = page_of(client, UserFactory(partner_learner=True))
    assert "ご自身でのお申し込みはできません" in html
    assert "研修ご担当者様にご依頼ください" in html


def test_users_who_may_apply_see_no_such_notice(client):
    for user_type in ("individual", "corporate", "group_applicant"):
        assert "ご自身でのお申し込みはできません" not in page_of(
            client, UserFactory(user_type=user_type)
        )


def test_staff_see_the_two_factor_authentication_link(client):
    html = page_of(client, UserFactory(staff=True))
    assert 'href="/accounts/2fa/"' in html and "多要素認証（2段階認証）" in html


def test_the_page_costs_the_same_few_queries_whatever_the_type(
    client, django_assert_max_num_queries
):
    org = OrganisationFactory()
    UserFactory.create_batch(3, group_applicant=True, organisation=org)
    learner = UserFactory(group_learner=True, organisation=org)
    client.force_login(learner)
    with django_assert_max_num_queries(6):
        client.get(URL)


# --- the same words in templates and emails ----------------------------------------------


@pytest.mark.parametrize("code,label", JAPANESE_TYPES.items())
def test_the_user_type_label_filter_puts_a_code_in_words(code, label):
    rendered = Template("{% load account_tags %}{{ code|user_type_label }}").render(
        Context({"code": code})
    )
    assert rendered == label


def test_an_unknown_code_is_shown_as_it_is():
    template = Template("{% load account_tags %}{{ code|user_type_label }}")
    assert template.render(Context({"code": "retired"})) == "retired"


def test_the_cannot_apply_notice_tag_shows_nothing_for_visitors():
    from django.contrib.auth.models import AnonymousUser

    html = Template("{% load account_tags %}{% cannot_apply_notice user %}").render(
        Context({"user": AnonymousUser()})
    )
    assert html.strip() == ""


def test_the_user_type_changed_email_says_both_types_in_words_r_type_4(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(corporate=True, last_name="佐藤", first_name="花子", username="hanako")
    with django_capture_on_commit_callbacks(execute=True):
        user_type_set(actor=None, user=user, user_type=User.UserType.GROUP_APPLICANT)

    (message,) = mail.outbox
    assert message.subject == "【研修センター(デモ)】ユーザー種別変更のお知らせ"
    assert "佐藤 花子 様" in message.body
    assert "ユーザーID：hanako" in message.body
    assert "変更前：法人\n" in message.body
    assert "変更後：法人グループ申込者\n" in message.body
    assert f"{settings.KENSHU_SITE_URL}/account/" in message.body
    html = dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]
    assert "法人グループ申込者" in html and "corporate" not in html


def test_the_user_type_changed_email_is_in_english_for_english_users():
    user = UserFactory(corporate=True, language="en")
    email = OutboxEmail.objects.create(
        template="user_type_changed",
        to_email=user.email,
        language="en",
        context={
            "name": "Hanako Sato",
            "user_id": "hanako",
            "old_type": "corporate",
            "new_type": "group_applicant",
        },
    )
    message = email_render(email)
    assert "Before: Corporate" in message.body
    assert "After: Corporate-group applicant" in message.body
