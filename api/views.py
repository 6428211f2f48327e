"""The REST API, version 1: cases, contacts, articles, teams, agents and ratings,
cursor-paged. Every write goes through the services the desk uses; the timeline names
the token's integration ("Shop (API)") or the agent of a desk session."""

import re
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import FileResponse, QueryDict
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, pagination, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from agents.models import Agent, Team
from api.auth import AgentSession, HasScope, ManagersWrite, TokenAuthentication, TokenRate
from api.models import ApiToken
from api.serializers import (
    AgentSerializer,
    ArticleSerializer,
    CaseChangeSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    ContactSerializer,
    ContactWriteSerializer,
    MessageSerializer,
    RatingSerializer,
    ReplySerializer,
    TeamSerializer,
    WritingSerializer,
)
from cases import desk, intake
from cases.attachments import check_upload
from cases.filters import CaseFilter
from cases.models import Attachment, Case, CaseRating, Message
from cases.timeline import CaseChanged
from contacts.models import Contact
from contacts.services import contact_get_or_create, contact_update
from knowledge.models import Article, Audience
from knowledge.services import article_save

# The queue's filters an integration may use (not "sort": pages follow one order).
CASE_FILTERS = {
    "q": "Words in the subject or the contact's name or email; end one with * for a prefix.",
    "status": "new, open, waiting, resolved or closed; repeat it for several.",
    "priority": "1 (low) to 4 (urgent); repeat it for several.",
    "assignee": "An agent's id, or none for unassigned cases.",
    "team": "A team's id.",
    "category": "A category's id.",
    "channel": "web, email, phone, chat, walk_in or social.",
    "due": "overdue, soon (within the hour) or on_track.",
}


class Newest(pagination.CursorPagination):
    """Newest first, by a cursor: a page is stable while new rows come in."""

    ordering = ("-created_at", "-pk")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class ApiView:
    authentication_classes = [TokenAuthentication, AgentSession]
    permission_classes = [HasScope]
    throttle_classes = [TokenRate]
    pagination_class = Newest


# Idempotency keys become the case's submission token, per token (or user).
IDEMPOTENCY = uuid.UUID("0f0c3a56-6a41-4c5e-9d1e-6b1c7a2d9e11")
CASES = Case.objects.select_related("contact", "assignee__user", "team", "category")


@extend_schema(
    parameters=[
        OpenApiParameter(name, str, many=name in {"status", "priority"}, description=text)
        for name, text in CASE_FILTERS.items()
    ]
)
class CaseList(ApiView, generics.ListAPIView):
    """Cases, newest first, filtered as the desk's queue filters them. POST opens a
    case for a customer (scope cases:write)."""

    resource = "cases"
    serializer_class = CaseSerializer

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseSerializer, 200: CaseSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                location=OpenApiParameter.HEADER,
                description="Any string up to 200 characters: a request repeated with the "
                "same key answers with the case the first one opened (200), never a second.",
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        given = CaseCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "")
        if len(key) > 200:
            raise ValidationError({"Idempotency-Key": ["At most 200 characters."]})
        token = request.auth if isinstance(request.auth, ApiToken) else None
        who = f"token {token.pk}" if token else f"user {request.user.pk}"
        submission = uuid.uuid5(IDEMPOTENCY, f"{who}:{key}") if key else None

        def earlier():
            return CASES.filter(submission_token=submission).first() if submission else None

        if (found := earlier()) is not None:
            return _replayed(found)
        data = given.validated_data

        def case_open():
            return intake.case_open_from_api(
                integration=token.name if token else f"{request.user.get_username()} (session)",
                name=data["name"] or data["email"].split("@")[0],
                email=data["email"],
                subject=data["subject"],
                body=data["message"],
                channel=data["channel"],
                category=data["category"],
                priority=data["priority"],
                submission_token=submission,
            )

        try:
            case = case_open()
        except IntegrityError:
            # As the contact form does: the same key a moment ago in another request (its
            # case stands), or the same new contact made meanwhile (found now).
            if (found := earlier()) is not None:
                return _replayed(found)
            case = case_open()
        return Response(CaseSerializer(CASES.get(pk=case.pk)).data, status=201)

    def get_queryset(self):
        query = QueryDict(mutable=True)
        for name in CASE_FILTERS:
            values = self.request.query_params.getlist(name)
            if values:
                query.setlist(name, values)
        agent = getattr(self.request.user, "agent", None)
        if agent is None and query.get("assignee") == "me":
            raise ValidationError({"assignee": ["“me” is for an agent's session; give an id."]})
        filterset = CaseFilter(query, queryset=CASES, agent=agent)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs.order_by()


def _replayed(case) -> Response:
    response = Response(CaseSerializer(case).data, status=200)
    response["Idempotent-Replayed"] = "true"
    return response


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@contextmanager
def desk_errors():
    """A service's refusal as the API says it: a stale version is 409, a rule 400."""
    try:
        yield
    except CaseChanged as changed:
        raise Conflict(changed.describe()) from None
    except DjangoValidationError as error:
        raise ValidationError({"detail": error.messages}) from None


def writer(request) -> dict:
    """Who writes, as the desk's services take it: the agent of a desk session, or the
    token's integration."""
    if isinstance(request.auth, ApiToken):
        return {"integration": desk.Integration(user=request.auth.actor(), name=request.auth.name)}
    return {"agent": request.user.agent}


# Ids a filter takes: ASCII digits that fit a 64-bit column (isdigit() takes "²").
ROW_ID = re.compile(r"[0-9]{1,18}")


def row_id(value: str, name: str, message: str) -> int:
    if not ROW_ID.fullmatch(value):
        raise ValidationError({name: [message]})
    return int(value)


def case_found(reference: str) -> Case:
    return get_object_or_404(Case.objects.with_reference(reference))


MESSAGES = Message.objects.select_related("author_agent__user", "author_contact").prefetch_related(
    "attachments"
)


class CaseDetail(ApiView, generics.RetrieveAPIView):
    """One case, by its reference (HD-000123), with its messages and notes. PATCH changes
    its status, priority, category or assignee (scope cases:write)."""

    resource = "cases"
    serializer_class = CaseDetailSerializer

    def get_object(self):
        queryset = CASES.prefetch_related(
            Prefetch("messages", queryset=MESSAGES.order_by("created_at", "pk"))
        )
        return get_object_or_404(queryset.with_reference(self.kwargs["reference"]))

    @extend_schema(
        request=CaseChangeSerializer,
        responses={
            200: CaseDetailSerializer,
            409: OpenApiResponse(description="The case changed since the version given."),
        },
    )
    def patch(self, request, reference):
        case = case_found(reference)
        given = CaseChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        version = changes.pop("version", None)
        if not changes:
            raise ValidationError(
                {"detail": ["Send what to change: status, priority, category or assignee."]}
            )
        who = writer(request)
        actor = who["agent"].user if "agent" in who else who["integration"].user
        with desk_errors():
            desk.case_update(case=case, actor=actor, seen_version=version, **changes)
        return Response(CaseDetailSerializer(self.get_object()).data)


class CaseWriting(ApiView, generics.GenericAPIView):
    resource = "cases"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def write(self, request, reference, service, serializer_class):
        case = case_found(reference)
        given = serializer_class(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        uploads = data.pop("attachments")
        if len(uploads) > settings.ATTACHMENT_MAX_FILES:
            raise ValidationError(
                {"attachments": [f"Attach at most {settings.ATTACHMENT_MAX_FILES} files."]}
            )
        content_types, errors = [], []
        for upload in uploads:
            try:
                content_types.append(check_upload(upload))
            except DjangoValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError({"attachments": errors})
        with desk_errors():
            message = service(
                case=case,
                seen_version=data.pop("version", None),
                uploads=uploads,
                content_types=content_types,
                **data,
                **writer(request),
            )
        shown = MESSAGES.get(pk=message.pk)
        return Response(MessageSerializer(shown).data, status=201)


class CaseReply(CaseWriting):
    """Answer the customer: mailed to them as an agent's reply is (scope cases:write).
    Files go as multipart/form-data `attachments`."""

    serializer_class = ReplySerializer

    @extend_schema(
        request={"application/json": ReplySerializer, "multipart/form-data": ReplySerializer},
        responses={201: MessageSerializer, 409: OpenApiResponse(description="Stale version.")},
    )
    def post(self, request, reference):
        return self.write(request, reference, desk.case_reply, ReplySerializer)


class CaseNote(CaseWriting):
    """An internal note, for agents only (scope cases:write)."""

    serializer_class = WritingSerializer

    @extend_schema(
        request={"application/json": WritingSerializer, "multipart/form-data": WritingSerializer},
        responses={201: MessageSerializer, 409: OpenApiResponse(description="Stale version.")},
    )
    def post(self, request, reference):
        return self.write(request, reference, desk.case_note, WritingSerializer)


class CaseAttachment(ApiView, generics.GenericAPIView):
    """A file on one of the case's messages, as a download."""

    resource = "cases"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, reference, pk):
        attachment = get_object_or_404(
            Attachment, pk=pk, message__case__in=Case.objects.with_reference(reference)
        )
        response = FileResponse(
            attachment.file.open("rb"), as_attachment=True, filename=attachment.name
        )
        response["Content-Type"] = "application/octet-stream"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ContactList(ApiView, generics.ListAPIView):
    """Contacts, newest first; email finds one by address, q by name or address. POST
    finds the contact with that address (200, unchanged) or makes one (201)."""

    resource = "contacts"
    serializer_class = ContactSerializer

    @extend_schema(
        request=ContactWriteSerializer, responses={201: ContactSerializer, 200: ContactSerializer}
    )
    def post(self, request, *args, **kwargs):
        given = ContactWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with transaction.atomic():
            contact, made = contact_get_or_create(
                email=data["email"],
                name=data["name"],
                language=data.get("language", ""),
                phone=data.get("phone", ""),
            )
            if made and data.get("organization"):
                contact = contact_update(
                    contact=contact, fields={"organization": data["organization"]}
                )
        shown = Contact.objects.select_related("organization", "owner__user").get(pk=contact.pk)
        return Response(ContactSerializer(shown).data, status=201 if made else 200)

    @extend_schema(
        parameters=[
            OpenApiParameter("email", str, description="The contact's address, in any case."),
            OpenApiParameter("q", str, description="Words of the name, address or phone."),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        contacts = Contact.objects.select_related("organization", "owner__user")
        for name in ("email", "q"):
            if "\x00" in self.request.query_params.get(name, ""):
                raise ValidationError({name: ["Null characters are not allowed."]})
        email = self.request.query_params.get("email", "").strip()
        if email:
            contacts = contacts.with_email(email)
        text = self.request.query_params.get("q", "").strip()
        if text:
            contacts = contacts.search(text)
        return contacts


class ContactDetail(ApiView, generics.RetrieveAPIView):
    """One contact. PATCH corrects the fields given (scope contacts:write)."""

    resource = "contacts"
    serializer_class = ContactSerializer
    queryset = Contact.objects.select_related("organization", "owner__user")

    @extend_schema(request=ContactWriteSerializer, responses={200: ContactSerializer})
    def patch(self, request, *args, **kwargs):
        contact = self.get_object()
        if contact.erased_at:
            raise ValidationError({"detail": ["This contact was erased: nothing is kept."]})
        given = ContactWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        try:
            contact_update(contact=contact, fields=given.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        shown = self.get_queryset().get(pk=contact.pk)
        return Response(ContactSerializer(shown).data)


class ContactCases(ApiView, generics.ListAPIView):
    """A contact's cases, newest first."""

    resource = "cases"
    serializer_class = CaseSerializer

    def get_queryset(self):
        contact = get_object_or_404(Contact, pk=self.kwargs["pk"])
        return CASES.filter(contact=contact)


class ByPk(pagination.CursorPagination):
    """In the order they were made: a short list that seldom changes."""

    ordering = ("pk",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 100


class TeamList(ApiView, generics.ListAPIView):
    """The teams cases are routed to."""

    resource = "teams"
    serializer_class = TeamSerializer
    pagination_class = ByPk
    queryset = Team.objects.all()


class AgentList(ApiView, generics.ListAPIView):
    """The agents, with those who left (active false): old cases still name them."""

    resource = "agents"
    serializer_class = AgentSerializer
    pagination_class = ByPk
    queryset = Agent.objects.select_related("user")

    @extend_schema(parameters=[OpenApiParameter("team", int, description="A team's id.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        team = self.request.query_params.get("team", "")
        if not team:
            return self.queryset
        return self.queryset.filter(team_id=row_id(team, "team", "Give a team's id."))


class RatingList(ApiView, generics.ListAPIView):
    """What customers said of the help they got, newest first."""

    resource = "ratings"
    serializer_class = RatingSerializer
    queryset = CaseRating.objects.select_related("case")

    @extend_schema(parameters=[OpenApiParameter("agent", int, description="An agent's id.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        agent = self.request.query_params.get("agent", "")
        if not agent:
            return self.queryset
        return self.queryset.filter(agent_id=row_id(agent, "agent", "Give an agent's id."))


class ArticleView(ApiView):
    resource = "articles"
    serializer_class = ArticleSerializer
    permission_classes = [ManagersWrite]

    def get_queryset(self):
        """Published articles, public and internal; drafts too for those who may write."""
        articles = Article.objects.select_related("category")
        writes = (
            self.request.auth.allows("articles:write")
            if isinstance(self.request.auth, ApiToken)
            else self.request.user.is_staff
        )
        return articles if writes else articles.published()

    def saved(self, article: Article, *, status_code: int) -> Response:
        """Save through the knowledge base's service (versions, rendering, search)."""
        if isinstance(self.request.auth, ApiToken):
            editor = self.request.auth.actor()
        else:
            editor = self.request.user
        try:
            article = article_save(article=article, editor=editor)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        return Response(ArticleSerializer(article).data, status=status_code)


class ArticleList(ArticleView, generics.ListAPIView):
    """Knowledge-base articles, newest first. POST writes a new one (a token with
    articles:write, or a manager's session)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("audience", str, enum=["public", "internal"]),
            OpenApiParameter("language", str, description="A language code, such as en."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        allowed = {"audience": dict(Audience.choices), "language": dict(settings.LANGUAGES)}
        for name, choices in allowed.items():
            value = self.request.query_params.get(name, "")
            if value and value not in choices:
                raise ValidationError({name: [f"One of: {', '.join(choices)}."]})
            if value:
                queryset = queryset.filter(**{name: value})
        return queryset

    @extend_schema(request=ArticleSerializer, responses={201: ArticleSerializer})
    def post(self, request, *args, **kwargs):
        given = ArticleSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self.saved(Article(**given.validated_data), status_code=201)


class ArticleDetail(ArticleView, generics.RetrieveAPIView):
    """One article by its slug. PATCH changes the fields given; the content it replaces
    is kept as a version, as an edit in admin is."""

    lookup_field = "slug"

    @extend_schema(request=ArticleSerializer, responses={200: ArticleSerializer})
    def patch(self, request, *args, **kwargs):
        article = self.get_object()
        given = ArticleSerializer(article, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        for name, value in given.validated_data.items():
            setattr(article, name, value)
        return self.saved(article, status_code=200)
