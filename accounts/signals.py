import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import LAST_SEEN, LOGIN_AT


@receiver(user_logged_in)
def start_session_clocks(sender, request, user, **kwargs):
    """The absolute session limit counts from the password login (Django rotates the key)."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now
