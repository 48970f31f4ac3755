"""Read-only output of the contacts API: codes and dates, never the free text."""

from rest_framework import serializers

from registration.models import CALLER_FIELDS, HANDLING_FIELDS, PERSON_CODE_LISTS, Contact, ReportedPerson


class ReportedPersonOutput(serializers.ModelSerializer):
    violence_forms = serializers.SerializerMethodField()
    referrals = serializers.SerializerMethodField()

    class Meta:
        model = ReportedPerson
        fields = ["uuid", "position", *PERSON_CODE_LISTS, "violence_forms", "referrals"]

    def get_violence_forms(self, person) -> list[str]:
        return sorted(v.code for v in person.violence_forms.all())

    def get_referrals(self, person) -> list[str]:
        return sorted(r.code for r in person.referrals.all())


class ContactOutput(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    persons = ReportedPersonOutput(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = [
            "uuid",
            "external_id",
            "team",
            "status",
            "channel",
            "started_at",
            "started_on",
            "duration_minutes",
            "caller_region",
            *CALLER_FIELDS,
            "caller_role",
            "within_opening_hours",
            *HANDLING_FIELDS,
            "version",
            "persons",
        ]
