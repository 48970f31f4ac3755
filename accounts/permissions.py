from rest_framework.permissions import BasePermission


class IsVerified(BasePermission):
    """Allow only users who logged in and passed the two-factor step (the API's default)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_verified())
