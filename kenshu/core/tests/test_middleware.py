import pytest

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_the_japanese_site(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="ja"' in response.content.decode()


def test_english_is_shown_when_chosen_with_the_language_switch(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en"' in response.content.decode()
