"""/staff/organisations/ (DOMAIN.md §11 "users and organisations"): search by name
or kana, filter by kind, member counts in the same query, paginated by 50."""

import pytest

from kenshu.accounts.models import Organisation
from kenshu.core.testing import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/staff/organisations/"


def test_each_organisation_shows_its_member_count_and_links_to_its_members(client, reception):
    busy = OrganisationFactory(name="株式会社たくさん", name_kana="タクサン")
    UserFactory.create_batch(3, corporate=True, organisation=busy)
    OrganisationFactory(name="株式会社だれもいない", name_kana="ダレモイナイ")
    client.force_login(reception)

    response = client.get(URL)

    counts = {o.name: o.member_count for o in response.context["page"].object_list}
    assert counts == {"株式会社たくさん": 3, "株式会社だれもいない": 0}
    assert f'href="/staff/users/?organisation={busy.pk}"' in response.content.decode()


@pytest.mark.parametrize(
    "query", ["サンプル", "さんぷる", "ｻﾝﾌﾟﾙ", "株式会社 サンプル", "株式会社　サンプル", "sample"]
)
def test_search_finds_an_organisation_by_name_or_kana_however_it_is_typed(client, reception, query):
    wanted = OrganisationFactory(name="株式会社サンプル Sample", name_kana="サンプル")
    OrganisationFactory(name="株式会社ほか", name_kana="ホカ")
    client.force_login(reception)
    response = client.get(URL, {"q": query})
    assert list(response.context["page"].object_list) == [wanted]


def test_the_list_can_be_filtered_by_kind(client, reception):
    partner = OrganisationFactory(partner=True)
    OrganisationFactory()
    client.force_login(reception)
    response = client.get(URL, {"kind": Organisation.Kind.PARTNER})
    assert list(response.context["page"].object_list) == [partner]
    assert "パートナー" in response.content.decode()


def test_nothing_found_is_said_plainly(client, reception):
    client.force_login(reception)
    response = client.get(URL, {"q": "存在しない会社"})
    assert "該当する組織はありません" in response.content.decode()


def test_the_list_is_paginated_by_50(client, reception):
    OrganisationFactory.create_batch(51)
    client.force_login(reception)
    assert len(client.get(URL).context["page"].object_list) == 50
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_costs_the_same_number_of_queries_for_5_and_50_rows(
    client, reception, django_assert_num_queries, rows
):
    for organisation in OrganisationFactory.create_batch(rows):
        UserFactory(corporate=True, organisation=organisation)
    client.force_login(reception)
    # session, user, the user's and its groups' permissions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL, {"q": "テスト"})
    assert len(response.context["page"].object_list) == rows
