"""The follow-up API for integrations (the phone system's voicemail, the e-mail inbox).

POST /api/follow-up/ enters a voicemail (with the number to call back) or an incoming e-mail
for one of the user's teams and answers 201 with the item's id and last day; a retry of the
same message answers 200 with the item it made. GET lists the open items of the user's teams:
codes and dates only, never the number or the note.

Authentication is the API's: a session whose user passed the two-factor step (the access gate,
accounts.middleware, decides before any DRF authentication runs, so a token alone would not
pass it). Counsellors and team coordinators only (accounts.access, namespace "api").
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from registration.models import HELPLINE_START
from registration.selectors import teams_of

from . import services
from .forms import CLOCK_SLACK, NOTE_MAX_LENGTH, NUMBER_CHARACTERS
from .models import ENTERED_KINDS, FollowUpItem, Kind
from .selectors import items_visible_to


class ItemInput(serializers.Serializer):
    """A voicemail or an e-mail as an integration hands it in."""

    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in ENTERED_KINDS])
    received_at = serializers.DateTimeField(help_text=_("Wanneer de voicemail of e-mail binnenkwam (ISO 8601)."))
    team = serializers.SlugField(
        required=False, help_text=_("Code van het team; mag ontbreken voor wie in één team zit.")
    )
    callback_number = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text=_("Enkel voor een voicemail.")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)

    def validate_callback_number(self, value: str) -> str:
        number = " ".join(value.split())
        if number and (not NUMBER_CHARACTERS.match(number) or not 6 <= sum(c.isdigit() for c in number) <= 15):
            raise serializers.ValidationError(_("Dit is geen telefoonnummer."))
        return number

    def validate_received_at(self, value: datetime) -> datetime:
        if value > timezone.now() + CLOCK_SLACK:
            raise serializers.ValidationError(_("Dit tijdstip ligt in de toekomst."))
        if timezone.localtime(value).date() < HELPLINE_START:
            raise serializers.ValidationError(_("Deze datum ligt voor de start van de hulplijn."))
        return value

    def validate(self, data: dict) -> dict:
        number = data.get("callback_number", "")
        if data["kind"] == Kind.VOICEMAIL and not number:
            raise serializers.ValidationError(
                {"callback_number": _("Een voicemail heeft een nummer om terug te bellen.")}
            )
        if data["kind"] == Kind.EMAIL and number:
            raise serializers.ValidationError({"callback_number": _("Een e-mail heeft geen terugbelnummer.")})
        teams = {t.code: t for t in teams_of(self.context["request"].user)}
        code = data.get("team")
        if code is None and len(teams) == 1:
            code = next(iter(teams))
        if code not in teams:
            raise serializers.ValidationError({"team": _("Kies een van je teams.")})
        data["team"] = teams[code]
        return data


class ItemCreated(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    kind = serializers.CharField()
    team = serializers.CharField(source="team.code")
    due_on = serializers.DateField(allow_null=True, help_text=_("De laatste dag om het af te handelen."))


class ItemOutput(serializers.ModelSerializer):
    """An item in a list: codes and dates; never the number or the note."""

    id = serializers.UUIDField(source="uuid")
    team = serializers.CharField(source="team.code")
    assigned = serializers.SerializerMethodField(help_text=_("Of iemand het punt genomen heeft."))
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpItem
        fields = ["id", "team", "kind", "received_at", "due_on", "overdue", "assigned"]

    def get_assigned(self, item: FollowUpItem) -> bool:
        return item.assigned_to_id is not None

    def get_overdue(self, item: FollowUpItem) -> bool:
        return item.is_overdue_on(self.context["today"])


class FollowUpApi(generics.ListAPIView):
    """The open follow-up items of the user's teams, by deadline, 50 a page; POST enters one."""

    serializer_class = ItemOutput

    def get_queryset(self):
        return items_visible_to(self.request.user).open().select_related("team").in_queue_order()

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(
        request=ItemInput,
        responses={201: ItemCreated, 200: ItemCreated},
        description="Enter a voicemail or an e-mail; a retry of the same message answers 200 with its item.",
    )
    def post(self, request, *args, **kwargs):
        entered = ItemInput(data=request.data, context={"request": request})
        entered.is_valid(raise_exception=True)
        data = entered.validated_data
        item, created = services.item_receive(
            user=request.user,
            team=data["team"],
            kind=data["kind"],
            received_at=data["received_at"],
            callback_number=data.get("callback_number", ""),
            note=data.get("note", ""),
        )
        return Response(ItemCreated(item).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
