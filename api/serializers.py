"""What the API shows of a case, a contact and a timeline entry."""

from django.conf import settings
from rest_framework import serializers

from cases.models import Case, Category, Channel, Message, Priority
from contacts.models import Contact


class ContactSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name", default=None)
    owner = serializers.CharField(source="owner.name", default=None)

    class Meta:
        model = Contact
        fields = ["id", "name", "email", "phone", "organization", "language", "owner", "created_at"]


class CaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    contact = serializers.IntegerField(source="contact_id")
    contact_email = serializers.CharField(source="contact.email")
    assignee = serializers.CharField(source="assignee.name", default=None)
    team = serializers.CharField(source="team.name", default=None)
    category = serializers.CharField(source="category.name", default=None)

    class Meta:
        model = Case
        fields = [
            "reference",
            "subject",
            "status",
            "priority",
            "channel",
            "contact",
            "contact_email",
            "assignee",
            "team",
            "category",
            "created_at",
            "due_at",
            "last_activity_at",
        ]


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "created_at", "author", "is_internal", "channel", "body"]

    def get_author(self, message) -> str:
        if message.author_agent_id:
            return message.author_agent.name
        return message.author_contact.name if message.author_contact_id else ""


class CaseDetailSerializer(CaseSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "messages"]


class CaseCreateSerializer(serializers.Serializer):
    """A case an integration opens for a customer."""

    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    subject = serializers.CharField(max_length=200)
    message = serializers.CharField(max_length=20_000)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WEB)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True, default=None
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=None)

    def validate_subject(self, value):
        value = " ".join(value.split())
        if not value:
            raise serializers.ValidationError("Give the case a subject.")
        return value

    def validate_message(self, value):
        if not value.strip():
            raise serializers.ValidationError("Write what the customer asked.")
        return value


class ContactWriteSerializer(serializers.Serializer):
    """A contact as an integration gives it: made, or corrected field by field."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    organization = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)

    def validate_name(self, value):
        value = " ".join(value.split())
        if not value:
            raise serializers.ValidationError("Give the contact a name.")
        return value
