"""Sign-up, e-mail verification and sign-in through allauth."""

import re

import pytest
from django.urls import reverse

from portal.models import User

pytestmark = pytest.mark.django_db


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.smoke
def test_sign_up_sends_a_verification_mail_and_the_link_signs_the_person_in(client, mailoutbox, home_page):
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Ananya",
            "email": "Ananya@Example.org",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email__iexact="ananya@example.org")
    assert user.display_name == "Ananya"

    # Mandatory verification: no sign-in before the link is followed.
    response = client.post(reverse("account_login"), {"login": "ananya@example.org", "password": "a long pass phrase"})
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("my")).status_code == 302

    # The refused sign-in would resend the mail, but not within three minutes.
    assert len(mailoutbox) == 1
    link = confirmation_link(mailoutbox[0])
    assert client.get(link).status_code == 200  # a page with a button: GET changes nothing
    response = client.post(link)
    assert response.status_code == 302

    client.logout()
    response = client.post(reverse("account_login"), {"login": "ANANYA@example.org", "password": "a long pass phrase"})
    assert response.status_code == 302 and response["Location"] == "/my/"
    page = client.get("/my/")
    assert page.status_code == 200 and "Ananya" in page.content.decode()


def test_sign_in_does_not_reveal_whether_an_address_has_an_account(client, beneficiary):
    unknown = client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "wrong password"})
    known = client.post(reverse("account_login"), {"login": beneficiary.email, "password": "wrong password"})
    assert unknown.status_code == known.status_code == 200
    assert unknown.context["form"].errors == known.context["form"].errors


def test_sign_up_with_a_taken_address_does_not_say_so(client, beneficiary, mailoutbox):
    response = client.post(
        reverse("account_signup"),
        {"email": beneficiary.email, "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    # Same answer as a fresh sign-up; the owner of the address is told by mail instead.
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact=beneficiary.email).count() == 1
    assert [m.to for m in mailoutbox] == [[beneficiary.email]]


def test_repeated_wrong_passwords_are_rate_limited(client, beneficiary):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": beneficiary.email, "password": "wrong password"})
    response = client.post(reverse("account_login"), {"login": beneficiary.email, "password": "correct horse battery"})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_account_pages_use_the_site_layout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'class="skip-link"' in html and '<main id="main"' in html
    assert '<label for="id_login"' in html


@pytest.mark.services
def test_sign_in_sign_up_and_password_reset_keep_working_and_limited_while_redis_is_down(
    client, on_redis, beneficiary, mailoutbox, settings
):
    beneficiary.set_password("correct horse battery")
    beneficiary.save()
    on_redis.stop()

    response = client.post(reverse("account_login"), {"login": beneficiary.email, "password": "correct horse battery"})
    assert response.status_code == 302 and response["Location"] == "/my/"
    client.logout()

    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    assert response.status_code == 302 and User.objects.filter(email="new@example.org").exists()
    client.logout()

    response = client.post(reverse("account_reset_password"), {"email": beneficiary.email})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox][-1] == [beneficiary.email]

    # Still limited: counted in this process while the shared store is away.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/m/ip,3/5m/key"}
    for _ in range(3):
        wrong = client.post(reverse("account_login"), {"login": beneficiary.email, "password": "wrong password"})
        assert wrong.status_code == 200
    right = client.post(reverse("account_login"), {"login": beneficiary.email, "password": "correct horse battery"})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in right.content.decode()
