"""The filters of the reports page, read from the URL so a view is a bookmark."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, Team
from cases.models import Category, Channel
from reports.figures import DEFAULT_DAYS, Period

PERIODS = [
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("month", _("This month")),
    ("last_month", _("Last month")),
    ("custom", _("Custom range")),
]
MAX_DAYS = 366
# The earliest day a custom range may start (a range near year 1 has no previous period
# to compare with; no help desk has figures from before this).
EARLIEST = date(2000, 1, 1)


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"), queryset=Agent.objects.none(), required=False, empty_label=_("All agents")
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )

    def __init__(self, data, *, today: date, teams, agents, categories, personal=False):
        super().__init__(data)
        self.today = today
        self.fields["team"].queryset = teams
        self.fields["agent"].queryset = agents
        self.fields["category"].queryset = categories
        if personal:
            del self.fields["team"]
            del self.fields["agent"]

    def clean(self):
        data = super().clean()
        choice = data.get("period") or str(DEFAULT_DAYS)
        data["period"] = choice
        if choice == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                for name in ("start", "end"):
                    if not data.get(name) and name not in self.errors:
                        self.add_error(name, _("Give both dates of a custom range."))
            elif start < EARLIEST:
                self.add_error("start", _("Choose dates from 1 January 2000 on."))
            elif start > end:
                self.add_error("start", _("The range starts after it ends."))
            elif end > self.today:
                self.add_error("end", _("The range cannot end after today."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("start", _("Choose a range of at most a year (366 days)."))
        return data

    def chosen_period(self) -> Period:
        """The period chosen (call after is_valid())."""
        choice, today = self.cleaned_data["period"], self.today
        if choice in ("7", "30", "90"):
            return Period(today - timedelta(days=int(choice) - 1), today)
        if choice == "month":
            return Period(today.replace(day=1), today)
        if choice == "last_month":
            last = today.replace(day=1) - timedelta(days=1)
            return Period(last.replace(day=1), last)
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])
