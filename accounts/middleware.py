"""The one gate every request passes (issue 5): enforced here, not view by view.

1. Sessions end after SESSION_IDLE_MINUTES idle and SESSION_ABSOLUTE_HOURS after login.
2. Anonymous visitors reach only the login page (the API answers 403).
3. Logged-in users without a verified two-factor device reach only enrolment/verification.
4. Verified users reach a page only if their role may (accounts.access.ROLE_RULES); record-level
   scope is the views' job, through registration.selectors.contacts_visible_to.
5. Every response to a logged-in user carries Cache-Control: no-store.
"""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .access import ANONYMOUS_ALLOWED, UNVERIFIED_ALLOWED, page_key, roles_for

logger = logging.getLogger(__name__)

LOGIN_AT = "accounts_login_at"
LAST_SEEN = "accounts_last_seen"
# Refresh the idle clock at most this often, to spare a session write on every request.
LAST_SEEN_GRANULARITY = 15


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _page(request) -> str | None:
    try:
        return page_key(resolve(request.path_info))
    except Resolver404:
        return None


def _to_two_factor(request) -> HttpResponseRedirect:
    target = reverse("accounts:two-factor")
    if request.method == "GET" and request.path_info != "/":
        # Come back to the page asked for once the code is given (a path: ids, never text).
        target += "?" + urlencode({"next": request.path_info})
    return HttpResponseRedirect(target)


def _denied_api(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=403)


class AccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._gate(request)
        if response is None:
            response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages and API answers for a logged-in user may carry case data: never cache them.
            add_never_cache_headers(response)
        return response

    def _gate(self, request):
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        user = request.user
        if user.is_authenticated and self._session_expired(request):
            logout(request)
            messages.info(request, _("Je sessie is verlopen. Meld je opnieuw aan."))
            user = request.user
        page = _page(request)
        if not user.is_authenticated:
            if page in ANONYMOUS_ALLOWED:
                return None
            if _is_api(request):
                return _denied_api(_("Aanmelden is vereist."))
            return redirect_to_login(request.get_full_path())
        if not user.is_verified():
            if page in UNVERIFIED_ALLOWED:
                return None
            if _is_api(request):
                return _denied_api(_("Tweestapsverificatie is vereist."))
            return _to_two_factor(request)
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_verified()):
            return None  # only the allow-listed pages get this far
        match = request.resolver_match
        if user.role not in roles_for(match):
            logger.info("access denied: user=%s page=%s", user.pk, page_key(match))
            if _is_api(request):
                return _denied_api(_("Je hebt geen toegang tot deze pagina."))
            raise PermissionDenied
        return None

    def _session_expired(self, request) -> bool:
        session = request.session
        now = time.time()
        login_at = session.get(LOGIN_AT)
        last_seen = session.get(LAST_SEEN)
        if login_at is None:
            session[LOGIN_AT] = login_at = now
        if last_seen is None:
            last_seen = now
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            return True
        if now - login_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
            return True
        if now - last_seen >= LAST_SEEN_GRANULARITY or LAST_SEEN not in session:
            session[LAST_SEEN] = now
        return False
