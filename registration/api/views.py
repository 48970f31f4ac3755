"""The contacts API: read-only, scoped by contacts_visible_to, every read in the audit trail."""

from django.shortcuts import get_object_or_404
from rest_framework import generics
from rest_framework.response import Response

from audit.services import audit_event
from registration.selectors import contacts_visible_to, persons_with_codes

from .serializers import ContactOutput


def _contacts_for(user):
    return (
        contacts_visible_to(user)
        .select_related("team")
        .prefetch_related(persons_with_codes())
        .order_by("-started_on", "-started_at", "-id")
    )


class ContactListApi(generics.ListAPIView):
    """The contacts of the user's teams, newest first, 50 a page."""

    serializer_class = ContactOutput

    def get_queryset(self):
        return _contacts_for(self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        ids = [row["uuid"] for row in response.data.get("results", [])]
        audit_event(request.user, "contact_list", via="api", contact_ids=ids, details={"page": request.GET.get("page")})
        return response


class ContactDetailApi(generics.RetrieveAPIView):
    """One contact of the user's teams; any other id answers 404."""

    serializer_class = ContactOutput

    def get_object(self):
        return get_object_or_404(_contacts_for(self.request.user), uuid=self.kwargs["uuid"])

    def retrieve(self, request, *args, **kwargs):
        contact = self.get_object()
        audit_event(request.user, "contact_view", via="api", contact_ids=[contact.pk])
        return Response(self.get_serializer(contact).data)
