"""factory_boy factories. Teams and code lists come from the data migration."""

from datetime import date

import factory
from django.utils import timezone

from accounts.models import Role, TeamMembership, User
from referrals.models import Referral
from registration.models import Contact, ReportedPerson, Team, ViolenceForm

DEMO_PASSWORD = "correct horse battery staple"


def team(code: str = "antwerpen") -> Team:
    # The migrations load the five teams; a transactional test before this one (they flush the
    # database on PostgreSQL) may have removed them, so a missing team is made again.
    return Team.objects.get_or_create(code=code, defaults={"name": code})[0]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COUNSELLOR
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        """UserFactory(teams=["antwerpen"]) makes the user a member of those teams."""
        for code in extracted or []:
            TeamMembership.objects.create(user=self, team=team(code), valid_from=date(2012, 1, 1))
        self.save()


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    team = factory.LazyFunction(team)
    started_on = factory.LazyFunction(timezone.localdate)
    channel = "phone"
    status = Contact.Status.COMPLETE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        contact = model_class(*args, **kwargs)
        if contact.started_at is not None:
            contact.started_on = timezone.localtime(contact.started_at).date()
        contact.refresh_derived()
        contact.save()
        return contact


class ReportedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportedPerson
        skip_postgeneration_save = True

    contact = factory.SubFactory(ContactFactory)

    @factory.post_generation
    def violence_forms(self, create, extracted, **kwargs):
        for code in extracted or []:
            ViolenceForm.objects.create(person=self, code=code)

    @factory.post_generation
    def referrals(self, create, extracted, **kwargs):
        for code in extracted or []:
            Referral.objects.create(person=self, code=code)
