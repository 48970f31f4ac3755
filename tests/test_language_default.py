import pytest

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_dutch_until_the_user_switches(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert '<html lang="nl-be">' in page.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, HTTP_ACCEPT_LANGUAGE="en-US")
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="nl-BE")
    assert '<html lang="en">' in page.content.decode()
