import factory
from django.contrib.auth import get_user_model

from agents.models import Agent, Team
from cases.models import Case, CaseEvent, Category, Channel, Message
from contacts.models import Contact, Organization


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@desk.example")
    password = factory.django.Password("secret-password")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    default_team = factory.SubFactory(TeamFactory)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    subject = factory.Faker("sentence", nb_words=5)
    contact = factory.SubFactory(ContactFactory)
    channel = Channel.WEB


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    case = factory.SubFactory(CaseFactory)
    author_contact = factory.SelfAttribute("case.contact")
    body = factory.Faker("paragraph")


class CaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    kind = CaseEvent.Kind.ROUTED
    detail = "Routed for a test."
