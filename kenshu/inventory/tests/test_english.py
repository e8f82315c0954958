"""The inventory pages and emails work in English too (Japanese first, English available)."""

import pytest
from django.core import mail

from kenshu.inventory.services import seat_assign
from kenshu.notifications.services import outbox_dispatch_due

pytestmark = pytest.mark.django_db


def test_the_pages_render_in_english(client, applicant, colleague, item):
    seat_assign(actor=applicant, seat=item.seats.first(), learner=colleague)
    client.force_login(applicant)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for path in [
        f"/purchase/session/{item.session_id}/?quantity=2",
        f"/purchase/done/{item.pk}/",
        "/account/inventory/",
        f"/account/inventory/{item.pk}/",
        "/account/group/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="en">' in response.content.decode(), path
    html = client.get(f"/account/inventory/{item.pk}/").content.decode()
    assert "Request a learner change" in html


def test_the_emails_render_in_english(applicant, colleague, item):
    colleague.language = "en"
    colleague.save(update_fields=["language"])
    seat_assign(actor=applicant, seat=item.seats.first(), learner=colleague)
    outbox_dispatch_due()
    (message,) = [m for m in mail.outbox if m.to == [colleague.email]]
    assert message.subject.endswith("You are enrolled: ILC1234 ビジネス文書研修")
    assert "has enrolled you in the following course" in message.body
