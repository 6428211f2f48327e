"""The cases app's models, one module per part of the work (see each module)."""

from cases.models.case import (
    OPEN_STATUSES,
    REFERENCE_PREFIX,
    AgentLoad,
    Attachment,
    AttachmentStorage,
    Case,
    CaseEvent,
    Category,
    Channel,
    Message,
    Priority,
    StagedFile,
    Status,
    attachment_path,
    parse_reference,
    reference_for,
)
from cases.models.customer import CaseAccessToken, CaseRating
from cases.models.desk import CannedAnswer, CannedAnswerVersion, Phrase, SavedView
from cases.models.intake import AcknowledgementWindow, FormSubmission
from cases.models.sla import (
    Notification,
    Reminder,
    SlaOutcome,
    SlaPolicy,
    SlaTarget,
    Target,
)

# Outbound mail lives in the outbox app; importable from here as it was before the split
# (../shared/bench does).
from outbox.models import OutboundEmail  # noqa: E402

__all__ = [
    "OPEN_STATUSES",
    "REFERENCE_PREFIX",
    "AcknowledgementWindow",
    "AgentLoad",
    "Attachment",
    "AttachmentStorage",
    "CannedAnswer",
    "CannedAnswerVersion",
    "Case",
    "CaseAccessToken",
    "CaseEvent",
    "CaseRating",
    "Category",
    "Channel",
    "FormSubmission",
    "Message",
    "Notification",
    "OutboundEmail",
    "Phrase",
    "Priority",
    "Reminder",
    "SavedView",
    "SlaOutcome",
    "SlaPolicy",
    "SlaTarget",
    "StagedFile",
    "Status",
    "Target",
    "attachment_path",
    "parse_reference",
    "reference_for",
]
