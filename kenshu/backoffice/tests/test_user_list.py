"""/staff/users/ (issue 3 "Staff screens"): one search box over user ID, email,
name, kana and company; a filter by user type (R-TYPE); paginated by 50."""

import pytest

from kenshu.accounts.models import User
from kenshu.core.testing import OrganisationFactory, UserFactory, corporate_customer

pytestmark = pytest.mark.django_db

URL = "/staff/users/"


@pytest.fixture
def sato():
    return corporate_customer(
        email="hanako.sato@example.jp",
        organisation=OrganisationFactory(name="株式会社サンプル商事", name_kana="サンプルショウジ"),
    )


@pytest.fixture
def others():
    return [
        UserFactory(username="suzuki", email="ichiro@example.jp", last_name="鈴木"),
        UserFactory(group_learner=True, last_name="高橋", last_name_kana="タカハシ"),
    ]


def found(client, **params) -> list[User]:
    return list(client.get(URL, params).context["page"].object_list)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("sato-corp", id="user ID"),
        pytest.param("SATO-CO", id="part of the user ID, any case"),
        pytest.param("hanako.sato@", id="email"),
        pytest.param("佐藤", id="family name"),
        pytest.param("佐藤 花子", id="full name with a space"),
        pytest.param("佐藤花子", id="full name without a space"),
        pytest.param("サトウ", id="kana"),
        pytest.param("さとう はなこ", id="kana typed in hiragana"),
        pytest.param("ｻﾄｳﾊﾅｺ", id="half-width kana"),
        pytest.param("サンプル商事", id="company"),
        pytest.param("サンプル　商事", id="company with a full-width space"),
    ],
)
def test_one_search_box_finds_a_user_by_id_email_name_kana_or_company(
    client, reception, sato, others, query
):
    client.force_login(reception)
    assert found(client, q=query) == [sato]


def test_the_list_can_be_filtered_by_user_type(client, reception, sato, others):
    client.force_login(reception)
    assert found(client, user_type=User.UserType.CORPORATE) == [sato]
    assert found(client, user_type=User.UserType.GROUP_LEARNER) == [others[1]]


def test_the_list_can_be_narrowed_to_the_members_of_an_organisation(
    client, reception, sato, others
):
    colleague = UserFactory(group_learner=True, organisation=sato.organisation)
    client.force_login(reception)
    response = client.get(URL, {"organisation": sato.organisation.pk})
    assert set(response.context["page"].object_list) == {sato, colleague}
    assert "株式会社サンプル商事 の所属ユーザーのみ表示しています" in response.content.decode()


def test_each_row_shows_the_user_type_in_words_and_links_to_the_user(client, reception, sato):
    client.force_login(reception)
    html = client.get(URL, {"q": "sato"}).content.decode()
    assert f'href="/staff/users/{sato.pk}/"' in html
    assert "法人" in html
    assert "株式会社サンプル商事" in html
    assert "hanako.sato@example.jp" in html


def test_nothing_found_is_said_plainly(client, reception, sato):
    client.force_login(reception)
    html = client.get(URL, {"q": "存在しない人"}).content.decode()
    assert "該当するユーザーはいません" in html


def test_the_search_box_is_labelled_and_keeps_what_was_typed(client, reception):
    client.force_login(reception)
    html = client.get(URL, {"q": "佐藤"}).content.decode()
    assert '<label class="form-label" for="id_q">検索</label>' in html
    assert 'value="佐藤"' in html


def test_the_list_is_paginated_by_50_and_the_pages_keep_the_search(client, reception):
    UserFactory.create_batch(51, last_name="田中")
    client.force_login(reception)
    first = client.get(URL, {"q": "田中"})
    assert len(first.context["page"].object_list) == 50
    assert 'href="?q=%E7%94%B0%E4%B8%AD&amp;page=2"' in first.content.decode()
    second = client.get(URL, {"q": "田中", "page": 2})
    assert len(second.context["page"].object_list) == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_costs_the_same_number_of_queries_for_5_and_50_rows(
    client, reception, django_assert_num_queries, rows
):
    UserFactory.create_batch(rows, corporate=True, last_name="田中")
    client.force_login(reception)
    # session, user, the user's and its groups' permissions, count, page (with organisations)
    with django_assert_num_queries(6):
        response = client.get(URL, {"q": "田中"})
    assert len(response.context["page"].object_list) == rows
