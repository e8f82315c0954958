"""The terms of use, /terms/, accepted at registration (R-ACCT-1)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_terms_are_in_japanese(client):
    response = client.get("/terms/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "利用規約" in html
    assert "第1条（適用）" in html and "第10条（準拠法および管轄裁判所）" in html
    assert "研修センター(デモ)（以下「当社」）" in html


def test_the_terms_are_in_english_when_english_is_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/terms/").content.decode()
    assert "Terms of use" in html and "Article 1 (Scope)" in html


def test_the_signup_form_links_to_the_terms(client):
    assert 'href="/terms/"' in client.get("/accounts/signup/").content.decode()
