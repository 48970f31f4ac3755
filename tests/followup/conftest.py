from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from followup import services
from followup.models import Kind
from registration.services import RegistrationInput
from tests.factories import team

NUMBER = "0470 12 34 56"


def registration(**fields) -> RegistrationInput:
    """What the form would hand the registration service: today, team Antwerpen, a phone call."""
    values = {"team": team(), "channel": "phone", **fields}
    return RegistrationInput(started_on=timezone.localdate(), started_at=timezone.now(), fields=values)


@pytest.fixture
def voicemail(counsellor):
    """voicemail(received_at=…, number=…) -> an open voicemail of team Antwerpen, entered by the counsellor."""

    def _voicemail(received_at: datetime | None = None, number: str = NUMBER, note: str = ""):
        return services.item_open(
            user=counsellor,
            team=team(),
            kind=Kind.VOICEMAIL,
            received_at=received_at or timezone.now(),
            callback_number=number,
            note=note,
        )

    return _voicemail


def days_ago(n: int) -> datetime:
    return timezone.now() - timedelta(days=n)
