"""The invitation e-mail: a single-use link to choose a password (issue 11).

The mail holds the username and the link, never case data. Without SMTP settings (the embedded
demo) Django's console backend prints it in the terminal that runs the server.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .tokens import INVITATION_VALIDITY, invitation_token_generator

logger = logging.getLogger(__name__)

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The address run.sh serves the embedded demo on: the last resort when neither SITE_URL nor a
# request says where the app is.
DEMO_SITE_URL = "http://127.0.0.1:8000"


def email_goes_to_console() -> bool:
    """Return whether mail is printed in the server's terminal instead of sent (no SMTP configured)."""
    return settings.EMAIL_BACKEND == CONSOLE_BACKEND


def invitation_link(user, *, request=None) -> str:
    """Return the absolute single-use link for the user to choose a password."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    path = reverse("accounts:invitation-accept", kwargs={"uidb64": uidb64, "token": token})
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return DEMO_SITE_URL + path


def invitation_email_send(user, *, reason: str = "invitation", request=None) -> None:
    """Send the user the link (reason: "invitation" or "two_factor_reset"); SMTP errors propagate."""
    context = {
        "username": user.get_username(),
        "link": invitation_link(user, request=request),
        "hours": int(INVITATION_VALIDITY.total_seconds() // 3600),
        "reason": reason,
    }
    # The invitee's language is not known yet: the helpline's own.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    if email_goes_to_console() and not settings.DEBUG:
        # Outside the demo a link in the server's output is a login for whoever reads that output.
        logger.warning("No SMTP configured (EMAIL_URL or EMAIL_HOST): the invitation link goes to standard output")
    send_mail(subject, body, None, [user.email], fail_silently=False)
