"""The case and its conversation: categories, cases, messages, attachments, the timeline."""

import os
import re

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection, models
from django.db.models import Q
from django.db.models.query import EmptyQuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Agent
from contacts.models import Contact, Organization
from helpdesk.lib.rows import Joined

REFERENCE_PREFIX = "HD-"


REFERENCE_RE = re.compile(r"^\s*HD-?(\d{1,12})\s*$", re.IGNORECASE)


def reference_for(pk: int) -> str:
    return f"{REFERENCE_PREFIX}{pk:06d}"


def parse_reference(text: str) -> int | None:
    """The case id in a reference such as "HD-000123", or None if it is not one."""
    match = REFERENCE_RE.match(text or "")
    return int(match.group(1)) if match else None


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    WALK_IN = "walk_in", _("Walk-in")
    SOCIAL = "social", _("Social media")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)
# What each status means to the customer, in their words, on their case page.
CUSTOMER_STATUS = {
    Status.NEW: _("Received"),
    Status.OPEN: _("We're on it"),
    Status.WAITING: _("Awaiting your reply"),
    Status.RESOLVED: _("Solved"),
    Status.CLOSED: _("Closed"),
}


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    default_team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="categories"
    )
    default_priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.NORMAL
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases a user may see. Every active agent sees every case; others see none."""
        if user.is_authenticated and user.is_active and hasattr(user, "agent"):
            return self
        return self.none()

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_reference(self, reference: str):
        pk = parse_reference(reference)
        return self.filter(pk=pk) if pk is not None else self.none()

    def for_desk_of(self, agent):
        """What an agent works on: their own cases and their team's unassigned ones."""
        # Unassigned cases without a team are everyone's, so none is lost.
        mine = Q(assignee=agent) | Q(assignee__isnull=True, team__isnull=True)
        if agent.team_id:
            mine |= Q(assignee__isnull=True, team_id=agent.team_id)
        return self.filter(mine)

    def for_queue(self):
        # Only the contact: the rows name assignees from cases.choices' kept names, and
        # each further join costs the planner more than the rows cost to read.
        return self.select_related("contact__organization")

    def for_workspace(self, pk: int):
        """The case with its contact, their organization and owner, or None. The page
        names the assignee, team, category, owner, backup and policy from what
        cases.choices and cases.sla.due keep: a twelve-table join cost the planner more
        than the page's other queries. Every view of a case reads it, so it is written
        as SQL (helpdesk.lib.rows): the ORM took longer to compile it than to run it."""
        if isinstance(self, EmptyQuerySet):  # visible_to(): the user may see no case
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                WORKSPACE.select(
                    "k.id = c.contact_id",
                    "o.id = k.organization_id",
                    "w.id = k.owner_id",
                    where="c.id = %s",
                ),
                [pk],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        (case, contact, organization, owner), _ = WORKSPACE.build(row)
        contact.organization = organization
        contact.owner = owner
        case.contact = contact
        return case


class Case(models.Model):
    subject = models.CharField(max_length=200)
    contact = models.ForeignKey("contacts.Contact", on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The contact form's one-time token: a double click or a resubmit finds the
    # case it already made instead of making a second one.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Raised by every change (see services.case_record); a form posted with an
    # older version collides with someone else's change.
    version = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_activity_by = models.CharField(max_length=200, blank=True)
    # The earliest response-time target still open; empty until an SLA applies.
    due_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_cases"
    )
    # Response-time promises (see cases/sla.py). Empty where no target applies.
    sla_policy = models.ForeignKey(
        "cases.SlaPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_reply_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    # The customer's unanswered message that the next-reply target counts from.
    awaiting_reply_since = models.DateTimeField(null=True, blank=True)
    # The resolution clock stops while the case waits on the customer.
    waiting_since = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(default=0)
    # When the reminder sweep next has something to do for this case.
    remind_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["assignee", "status", "-created_at"], name="case_assignee_idx"),
            models.Index(fields=["team", "status", "-created_at"], name="case_team_idx"),
            models.Index(fields=["contact", "-created_at"], name="case_contact_idx"),
            models.Index(fields=["-created_at"], name="case_created_idx"),
            models.Index(fields=["status", "due_at"], name="case_status_due_idx"),
            models.Index(fields=["status", "-last_activity_at"], name="case_status_activity_idx"),
            models.Index(
                fields=["remind_at"], condition=Q(remind_at__isnull=False), name="case_remind_idx"
            ),
            models.Index(
                fields=["resolved_at"],
                condition=Q(status="resolved"),
                name="case_resolved_idx",
            ),
            # The queue's default order over open cases: soonest due first, then newest.
            # (PostgreSQL keeps NULLs last in an ascending index, as the query asks.)
            models.Index(
                fields=["due_at", "-created_at"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="case_open_due_idx",
            ),
            # The queue's order over every status (a search or a view with resolved
            # cases): read in order and filtered, the first page stops after a few
            # hundred rows instead of sorting every match.
            models.Index(fields=["due_at", "-created_at"], name="case_due_idx"),
            # What changed since the reports' last pass (reports.rollup).
            models.Index(fields=["updated_at"], name="case_updated_idx"),
            # The reports' backlog now: open cases counted by status, team, age and
            # overdue from the index alone (PostgreSQL), whatever the filter. Team and
            # priority lead: the queue's count of open cases by team and priority
            # reads only the entries it counts, at any size (0.3 ms for 1,001 at a
            # million cases, where reading by status first took 2.4 and a table scan
            # 13). (Key columns, not INCLUDE: SQLite has no covering indexes.)
            models.Index(
                fields=[
                    "team",
                    "priority",
                    "status",
                    "created_at",
                    "due_at",
                    "assignee",
                    "channel",
                    "category",
                ],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="case_open_backlog_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def merged_into_reference(self) -> str:
        """The reference of the case this one was merged into, without reading that case."""
        return reference_for(self.merged_into_id) if self.merged_into_id else ""

    @property
    def reference(self) -> str:
        return reference_for(self.pk) if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # get_status_display() hashes every choice's label, translating each, on every call;
    # a page of cases shows two labels a row.
    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label

    @property
    def customer_status(self) -> str:
        """The status as the customer's page says it ("Awaiting your reply")."""
        return CUSTOMER_STATUS[self.status]


class Message(models.Model):
    """What the customer or an agent wrote on a case; an internal note when flagged."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author_agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who wrote it when neither an agent nor the contact did: an integration's name.
    author_label = models.CharField(max_length=150, blank=True, default="")
    body = models.TextField()
    is_internal = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now)
    # The email Message-ID this message was sent or received as.
    message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(author_agent__isnull=True) | Q(author_contact__isnull=True),
                name="message_one_author",
            ),
        ]

    def __str__(self):
        return f"Message {self.pk} on {self.case_id}"

    @property
    def author_name(self) -> str:
        if self.author_agent_id:
            return self.author_agent.name
        if self.author_contact_id:
            return self.author_contact.name
        return self.author_label or str(_("System"))


class AttachmentStorage(FileSystemStorage):
    """Files outside any public path, at settings.ATTACHMENT_ROOT, with no URL of their own."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.ATTACHMENT_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def attachment_path(instance, filename):
    # The stored name is random; the customer's file name is kept in `name`.
    return f"{timezone.now():%Y/%m}/{instance.storage_key}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=AttachmentStorage(), upload_to=attachment_path, max_length=200)
    storage_key = models.CharField(max_length=64, editable=False)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


def staged_path(instance, filename):
    return f"staged/{instance.token}"


class StagedFile(models.Model):
    """A checked file from a form that came back (an error, a phrase warning, a collision),
    kept so it need not be chosen again. Only its owner's next post of the same form can
    use it (see cases.staging); it is gone once used, or after STAGED_FILE_HOURS."""

    token = models.CharField(max_length=64, unique=True)
    # Who may use it: "user:<pk>" on the desk, "case:<pk>" on a customer's page,
    # "contact:<submission token>" on the public form.
    owner = models.CharField(max_length=100)
    file = models.FileField(storage=AttachmentStorage(), upload_to=staged_path, max_length=200)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.name


class AgentLoad(models.Model):
    """How many open cases an agent holds. Kept by database triggers on cases_case (see
    migration 0008), whatever writes the case, so routing reads one row per agent instead
    of counting their cases. Never written by Django."""

    agent = models.OneToOneField(
        "agents.Agent", primary_key=True, on_delete=models.CASCADE, related_name="workload"
    )
    open_cases = models.IntegerField(default=0)

    class Meta:
        db_table = "cases_agentload"

    def __str__(self):
        return f"{self.agent_id}: {self.open_cases} open"


class CaseEvent(models.Model):
    """One line of a case's timeline and audit trail: who did what, when and why."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        ROUTED = "routed", _("Routed")
        ASSIGNED = "assigned", _("Assigned")
        REASSIGNED = "reassigned", _("Reassigned")
        OWNER_CHANGED = "owner_changed", _("Owner changed")
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority changed")
        CATEGORY = "category", _("Category changed")
        ESCALATED = "escalated", _("Escalated")
        MERGED = "merged", _("Merged")
        REPLIED = "replied", _("Replied")
        NOTE = "note", _("Note added")
        SLA = "sla", _("Response times")
        CUSTOMER_WROTE = "customer_wrote", _("Customer wrote")
        REOPENED = "reopened", _("Reopened")
        RATED = "rated", _("Rated")
        LINK = "link", _("Customer link")

    # Kinds whose message stands in the timeline itself.
    MESSAGE_KINDS = (Kind.REPLIED, Kind.NOTE, Kind.CUSTOMER_WROTE)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the desk itself acted.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What it says, in English (admin, exports, events written before codes)…
    detail = models.TextField()
    # …and as a sentence's code and parameters, put into the reader's language when shown
    # (cases.said). Empty code: the detail is shown as written.
    code = models.CharField(max_length=40, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    case_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="event_case_idx"),
            models.Index(fields=["case", "case_version"], name="event_case_version_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.detail}"


WORKSPACE = Joined((Case, "c"), (Contact, "k"), (Organization, "o"), (Agent, "w"))
