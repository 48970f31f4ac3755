"""The single-use invitation link (issue 11): Django's password-reset token, with its own salt and 72 hours.

The token is an HMAC over the user's id, password hash, last login and e-mail address. An invited
account has an unusable password whose hash is random and new at every set_unusable_password():
choosing a password, or a new invitation (resend, two-factor reset), changes it, and every
earlier link stops working. Nothing is stored for it.
"""

from datetime import timedelta

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

INVITATION_VALIDITY = timedelta(hours=72)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        """Return whether the token is this user's current invitation, younger than 72 hours.

        Only an active account that has no password yet accepts one: a link can never replace a
        password someone chose.
        """
        if user is None or not token or not isinstance(token, str):
            return False
        if not user.is_active or user.has_usable_password():
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token):
                break
        else:
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= INVITATION_VALIDITY.total_seconds()


invitation_token_generator = InvitationTokenGenerator()
