"""What the API shows of a case, a contact and a timeline entry."""

from django.conf import settings
from rest_framework import serializers

from agents.models import Agent, Team
from cases.models import Attachment, Case, CaseRating, Category, Channel, Message, Priority, Status
from contacts.models import Contact
from knowledge.models import Article, ArticleCategory

# How a write says which version of the case it was made against.
VERSION_HELP = (
    "The case's version as you last read it: if someone changed the case since, nothing "
    "is written and the answer is 409. Leave it out to write whatever happened meanwhile."
)


class ContactSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(
        source="organization.name", default=None, allow_null=True, read_only=True
    )
    owner = serializers.CharField(
        source="owner.name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Contact
        fields = ["id", "name", "email", "phone", "organization", "language", "owner", "created_at"]


class CaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    contact = serializers.IntegerField(source="contact_id")
    contact_email = serializers.CharField(source="contact.email")
    assignee = serializers.CharField(
        source="assignee.name", default=None, allow_null=True, read_only=True
    )
    team = serializers.CharField(source="team.name", default=None, allow_null=True, read_only=True)
    category = serializers.CharField(
        source="category.name", default=None, allow_null=True, read_only=True
    )

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
            "version",
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type"]


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_name", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "created_at", "author", "is_internal", "channel", "body", "attachments"]


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


class CaseChangeSerializer(serializers.Serializer):
    """What an integration may change on a case; a field left out stays as it is."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.active(),
        required=False,
        allow_null=True,
        help_text="An active agent's id, or null to unassign.",
    )
    version = serializers.IntegerField(min_value=0, required=False, help_text=VERSION_HELP)


class WritingSerializer(serializers.Serializer):
    """A reply or a note: its text, files (multipart/form-data) and the version seen."""

    body = serializers.CharField(max_length=20_000, trim_whitespace=False)
    # Empty files get through to the desk's check, which names them.
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, default=list
    )
    version = serializers.IntegerField(min_value=0, required=False, help_text=VERSION_HELP)

    def validate_body(self, value):
        if not value.strip():
            raise serializers.ValidationError("Write something.")
        return value


class ReplySerializer(WritingSerializer):
    status_after = serializers.ChoiceField(
        choices=[
            (status, status.label) for status in (Status.WAITING, Status.OPEN, Status.RESOLVED)
        ],
        default=Status.WAITING,
        help_text="The case's status after the reply.",
    )


class TeamSerializer(serializers.ModelSerializer):
    lead = serializers.IntegerField(source="lead_id", allow_null=True)

    class Meta:
        model = Team
        fields = ["id", "name", "lead", "is_default"]


class AgentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(source="user.email")
    active = serializers.BooleanField(source="user.is_active")
    team = serializers.IntegerField(source="team_id", allow_null=True)
    backup = serializers.IntegerField(source="backup_id", allow_null=True)

    class Meta:
        model = Agent
        fields = ["id", "name", "email", "active", "team", "languages", "away_until", "backup"]


class RatingSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    agent = serializers.IntegerField(source="agent_id", allow_null=True)

    class Meta:
        model = CaseRating
        fields = ["id", "case", "agent", "score", "recommend", "comment", "created_at"]


class ArticleSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=ArticleCategory.objects.all()
    )
    body_html = serializers.CharField(read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "body",
            "body_html",
            "category",
            "tags",
            "language",
            "audience",
            "status",
            "created_at",
            "updated_at",
            "published_at",
        ]
        read_only_fields = ["created_at", "updated_at", "published_at"]
