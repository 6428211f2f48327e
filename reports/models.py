"""The managers' figures, kept ahead of the page: one fact row per case and a daily rollup
per (day, team, agent, channel, category). A page view sums rollup rows; it never scans
cases. reports.rollup keeps both current and rebuilds them from the raw rows."""

from django.db import models

# Upper edges, in business minutes, of the buckets that response and resolution times are
# counted in (the last bucket has no edge): a median is given as "within 2 hours".
BUCKET_EDGES = (15, 30, 60, 120, 240, 480, 1440, 2880, 5760, 10080, 20160)
BUCKETS = len(BUCKET_EDGES) + 1


def bucket_of(minutes: int) -> int:
    for index, edge in enumerate(BUCKET_EDGES):
        if minutes <= edge:
            return index
    return len(BUCKET_EDGES)


class CaseFact(models.Model):
    """What the figures need to know of one case, worked out from its messages, events,
    outcomes and rating (see reports.facts)."""

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="fact"
    )
    contact_id = models.BigIntegerField()
    team_id = models.BigIntegerField(null=True)
    agent_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10)
    category_id = models.BigIntegerField(null=True)
    created_day = models.DateField()
    first_response_day = models.DateField(null=True)
    first_response_minutes = models.PositiveIntegerField(null=True)
    resolved_day = models.DateField(null=True)
    resolution_minutes = models.PositiveIntegerField(null=True)
    agent_replies = models.PositiveIntegerField(default=0)
    reopened = models.BooleanField(default=False)
    handoffs = models.PositiveIntegerField(default=0)
    owner_handled = models.BooleanField(default=False)
    rated_day = models.DateField(null=True)
    score = models.PositiveSmallIntegerField(null=True)
    recommend = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_day"], name="fact_created_idx"),
            models.Index(fields=["first_response_day"], name="fact_response_idx"),
            models.Index(
                fields=["resolved_day", "contact_id", "agent_id"], name="fact_resolved_idx"
            ),
            models.Index(fields=["rated_day"], name="fact_rated_idx"),
        ]

    def __str__(self):
        return f"Facts of case {self.case_id}"


class AgentChange(models.Model):
    """A solved case that went to another agent than the same contact's previous solved
    case (in order of the day solved, then of the case; cases solved by nobody left out):
    among all the contact's cases (`within` ""), or among those of the same team, channel
    or category only ("team", "channel", "category"; the row carries the case's). A
    contact's solved cases of a period, of one team say, went to several agents exactly
    when one of its changes within that team has both cases in the period: the count of
    such contacts reads these rows, not every case solved (reports.rollup keeps them)."""

    WITHIN = {"": None, "team": "team_id", "channel": "channel", "category": "category_id"}

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    within = models.CharField(max_length=10, blank=True)
    contact_id = models.BigIntegerField()
    resolved_day = models.DateField()
    previous_day = models.DateField()
    team_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10)
    category_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["within", "resolved_day", "previous_day"], name="change_day_idx"),
            models.Index(fields=["contact_id"], name="change_contact_idx"),
        ]

    def __str__(self):
        return f"Case {self.case_id} went to another agent"


class Counters(models.Model):
    """Sums over the cases of one day and group. Each count is attributed to the day its
    event happened: a case opened on Monday and solved on Wednesday adds to Monday's
    `created` and Wednesday's `solved`."""

    created = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    # Of the solved: one agent reply and never reopened; reopened; hand-offs; the owner's.
    first_contact = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    handoffs = models.PositiveIntegerField(default=0)
    owner_handled = models.PositiveIntegerField(default=0)
    # Response-time outcomes recorded that day, per target.
    first_response_met = models.PositiveIntegerField(default=0)
    first_response_missed = models.PositiveIntegerField(default=0)
    next_reply_met = models.PositiveIntegerField(default=0)
    next_reply_missed = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)
    resolution_missed = models.PositiveIntegerField(default=0)
    # Ratings given that day: how many, their sum, each score; the 0-10 question.
    rated = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


# The histograms and the score distribution, one column each so the database sums them.
for _index in range(BUCKETS):
    Counters.add_to_class(f"response_{_index}", models.PositiveIntegerField(default=0))
    Counters.add_to_class(f"resolution_{_index}", models.PositiveIntegerField(default=0))
for _score in range(1, 6):
    Counters.add_to_class(f"score_{_score}", models.PositiveIntegerField(default=0))

COUNTERS = [
    field.name
    for field in Counters._meta.local_fields
    if isinstance(field, models.PositiveIntegerField)
]


class DailyRollup(Counters):
    """Per day, team, agent, channel and category: what a category filter reads."""

    day = models.DateField()
    team_id = models.BigIntegerField(null=True)
    agent_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10)
    category_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["day", "channel", "category_id"], name="rollup_day_idx")]

    def __str__(self):
        return f"{self.day} team {self.team_id} agent {self.agent_id}"


class TeamDay(Counters):
    """The same sums per day, team and agent only: a few dozen rows a day whatever the
    volume, so the page without a channel or category filter sums little."""

    day = models.DateField()
    team_id = models.BigIntegerField(null=True)
    agent_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["day", "team_id"], name="teamday_day_idx")]

    def __str__(self):
        return f"{self.day} team {self.team_id} agent {self.agent_id}"


class ChannelDay(Counters):
    """Per day, team, agent and channel: new cases by channel, and a channel filter."""

    day = models.DateField()
    team_id = models.BigIntegerField(null=True)
    agent_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10)

    class Meta:
        indexes = [models.Index(fields=["day", "channel"], name="channelday_day_idx")]

    def __str__(self):
        return f"{self.day} team {self.team_id} agent {self.agent_id}"


class TeamChannelDay(Counters):
    """The same sums per day, team and channel: a few dozen rows a day, however many cases
    and agents, for the page without an agent or category filter: the volume and
    compliance per day and channel, and the previous period's totals."""

    day = models.DateField()
    team_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10)

    class Meta:
        indexes = [models.Index(fields=["day", "team_id"], name="teamchannelday_day_idx")]

    def __str__(self):
        return f"{self.day} team {self.team_id} {self.channel}"


# The rollup tables, narrowest first, and what each is per (besides the day).
ROLLUPS = (
    (TeamChannelDay, ("team_id", "channel")),
    (TeamDay, ("team_id", "agent_id")),
    (ChannelDay, ("team_id", "agent_id", "channel")),
    (DailyRollup, ("team_id", "agent_id", "channel", "category_id")),
)


class DigestSent(models.Model):
    """The weekly digest went to this agent for the week starting `week` (once only)."""

    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "week"], name="digest_once_a_week")]

    def __str__(self):
        return f"Digest of {self.week} to {self.agent_id}"


# The open cases' age buckets: at least this many days old.
AGE_DAYS = (1, 3, 7, 30)


class OpenCount(models.Model):
    """The open cases as the last pass counted them, per status, team, agent, channel and
    category: how many, how many overdue and how many at least 1, 3, 7 and 30 days old.
    The backlog figures sum these rows, so that no page view counts the open cases."""

    status = models.CharField(max_length=10)
    team_id = models.BigIntegerField(null=True)
    agent_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10)
    category_id = models.BigIntegerField(null=True)
    total = models.PositiveIntegerField()
    overdue = models.PositiveIntegerField()
    older_1 = models.PositiveIntegerField()
    older_3 = models.PositiveIntegerField()
    older_7 = models.PositiveIntegerField()
    older_30 = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.total} {self.status} of team {self.team_id} agent {self.agent_id}"


class RollupState(models.Model):
    """One row: up to when the rollup has taken in case changes, and when the open cases
    were last counted (OpenCount; none yet: a view counts them itself)."""

    refreshed_at = models.DateTimeField()
    counted_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"Rollup as of {self.refreshed_at}"
