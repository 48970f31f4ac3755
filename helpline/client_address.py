"""The client address django-axes counts failed logins against (AXES_CLIENT_IP_CALLABLE)."""

from ipaddress import ip_address

from django.conf import settings


def client_address(request) -> str | None:
    """REMOTE_ADDR; behind TRUSTED_PROXY_COUNT proxies, the address the outermost proxy saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N
    trusted proxies the client is the N-th address from the right. Everything left of it was sent
    by the client and may be forged (django-ipware's proxy count, given a longer list, returns one
    of the forged addresses, so the lockout would count what the attacker chose). A header
    shorter than the proxies make it (a request that bypassed them) counts REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    try:
        return str(ip_address(forwarded[-count]))
    except ValueError:
        return remote
