from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Agent
from cases.choices import DeskChoices, desk_choices
from cases.models import OPEN_STATUSES, Case, Channel, Priority, Status
from cases.search import cases_matching


class DueState:
    OVERDUE = "overdue"
    SOON = "soon"
    ON_TRACK = "on_track"
    CHOICES = [
        (OVERDUE, _("Overdue")),
        (SOON, _("Due within the hour")),
        (ON_TRACK, _("On track")),
    ]


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sorts with empty values last either way: a case without a due time is never 'most urgent'."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            field = self.get_ordering_value(param)
            expression = F(field.lstrip("-"))
            ordering.append(
                expression.desc(nulls_last=True)
                if field.startswith("-")
                else expression.asc(nulls_last=True)
            )
        return qs.order_by(*ordering, "-pk")


class InFilter(django_filters.MultipleChoiceFilter):
    """Several chosen values as one `IN (…)`. MultipleChoiceFilter writes one comparison
    per value, OR-ed, which PostgreSQL takes only as a filter on what an index found,
    not as a condition the index can serve (the queue's count by status, priority and
    team read 50,000 rows at a million cases to find its first 1,001)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return self.get_method(qs)(**{f"{self.field_name}__in": sorted(set(value))})


class CaseFilter(django_filters.FilterSet):
    """The queue's filters. They live in the query string, so a view is a bookmark."""

    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Search"),
        help_text=_(
            "Words in the subject or the customer's name or email; end a word with * "
            "to find words it starts (print* finds printer)."
        ),
    )
    # distinct=False: these are columns of the case itself, so no row can repeat, and
    # SELECT DISTINCT over a page's joined columns costs more than the whole page.
    status = InFilter(
        label=_("Status"),
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    priority = InFilter(
        label=_("Priority"),
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    assignee = django_filters.ChoiceFilter(
        method="filter_assignee", label=_("Assignee"), empty_label=_("Anyone")
    )
    # Teams and categories by id, offered from the desk's kept lists (cases.choices).
    team = django_filters.ChoiceFilter(field_name="team_id", label=_("Team"), empty_label=_("Any"))
    category = django_filters.ChoiceFilter(
        field_name="category_id", label=_("Category"), empty_label=_("Any")
    )
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices, label=_("Channel"), empty_label=_("Any")
    )
    due = django_filters.ChoiceFilter(
        choices=DueState.CHOICES,
        method="filter_due",
        label=_("Response time"),
        empty_label=_("Any"),
    )
    created = django_filters.DateFromToRangeFilter(
        field_name="created_at",
        label=_("Created between"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    sort = NullsLastOrderingFilter(
        fields=[
            ("due_at", "due"),
            ("priority", "priority"),
            ("last_activity_at", "updated"),
            ("created_at", "created"),
        ],
        field_labels={
            "due_at": _("Due time"),
            "priority": _("Priority"),
            "last_activity_at": _("Last update"),
            "created_at": _("Age"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, agent: Agent, kept: DeskChoices | None = None, **kwargs):
        """`kept`: the desk's select lists, when the caller has them already."""
        super().__init__(*args, **kwargs)
        self.agent = agent
        kept = kept or desk_choices()
        self.filters["assignee"].extra["choices"] = [
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *((str(pk), name) for pk, name in kept.agents),
        ]
        self.filters["team"].extra["choices"] = [(str(pk), name) for pk, name in kept.teams]
        self.filters["category"].extra["choices"] = [
            (str(pk), name) for pk, name in kept.categories
        ]

    def filter_text(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        from cases.models import parse_reference

        pk = parse_reference(value)
        if pk is not None:
            return queryset.filter(pk=pk)
        return cases_matching(queryset, words[:8])

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.agent)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=value)

    def filter_due(self, queryset, name, value):
        now = timezone.now()
        soon = now + timedelta(hours=1)
        queryset = queryset.filter(status__in=OPEN_STATUSES, due_at__isnull=False)
        if value == DueState.OVERDUE:
            return queryset.filter(due_at__lte=now)
        if value == DueState.SOON:
            return queryset.filter(due_at__gt=now, due_at__lte=soon)
        return queryset.filter(due_at__gt=soon)

    @property
    def qs(self):
        queryset = super().qs
        # Unsorted, the most urgent first: due soonest, then newest.
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(F("due_at").asc(nulls_last=True), "-created_at")
        return queryset
