"""Data at scale for benchmarks: a year of a busy desk, made with bulk inserts.

    manage.py seed_scale --cases 100000

Sizes are options, so the same command makes 10k and 1M. It refuses to run in
production and on a database that already holds cases.
"""

import random
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agents.models import Agent, Team
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseRating,
    Category,
    Channel,
    Message,
    SlaOutcome,
    SlaPolicy,
    SlaTarget,
    Status,
    Target,
)
from contacts.models import Contact, Organization

BATCH = 5000
WORDS = (
    "printer invoice login password delivery refund order account error export report "
    "payment subscription upgrade crash slow email calendar backup sync mobile app "
    "screen network vpn license seat address contract discount shipping damaged label"
).split()
# Of every 20 cases: mostly closed history, some resolved, the rest still open.
STATUS_MIX = (
    [Status.CLOSED] * 12
    + [Status.RESOLVED] * 3
    + [Status.NEW] * 2
    + [Status.OPEN] * 2
    + [Status.WAITING]
)
TARGETS = {1: (480, 480, 2880), 2: (240, 240, 1440), 3: (60, 120, 480), 4: (30, 60, 240)}


class Progress:
    def __init__(self, label: str, total: int):
        self.label, self.total, self.done, self.started = label, total, 0, time.monotonic()

    def add(self, count: int) -> None:
        self.done += count
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        sys.stderr.write(
            f"\r  {self.label:<10} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done:>9,}/{self.total:,} {time.monotonic() - self.started:5.1f}s"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def batches(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Command(BaseCommand):
    help = "Fill an empty database with a year of help-desk data, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--contacts", type=int, default=None, help="default: cases / 5")
        parser.add_argument("--agents", type=int, default=40)
        parser.add_argument("--teams", type=int, default=5)
        parser.add_argument("--messages-per-case", type=int, default=3)
        parser.add_argument("--articles", type=int, default=None, help="default: cases / 10")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--no-figures",
            action="store_true",
            help="leave the reports' figures unbuilt (make bench times their rebuild itself)",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_scale refuses to run when DJANGO_ENV=production.")
        if Case.objects.exists():
            raise CommandError("seed_scale needs a database without cases.")
        self.random = random.Random(options["seed"])
        started = time.monotonic()
        with transaction.atomic():
            agents, teams = self.people(options["agents"], options["teams"])
            categories = self.categories(teams)
            contacts = self.contacts(options["contacts"] or max(options["cases"] // 5, 1), agents)
            self.cases(options["cases"], contacts, categories, options["messages_per_case"])
        articles = options["articles"]
        if articles is None:
            articles = options["cases"] // 10
        if articles:
            from knowledge.scale import seed_articles

            seed_articles(count=articles, rng=self.random, progress=Progress)
        if not options["no_figures"]:
            # As a desk that has been running has them (the beat keeps them current).
            from reports.rollup import rollup_rebuild

            rollup_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"Seeded in {time.monotonic() - started:.0f}s: ")
            + f"{Case.objects.count():,} cases, {Message.objects.count():,} messages, "
            f"{Contact.objects.count():,} contacts, {Agent.objects.count()} agents."
        )

    def people(self, count, team_count):
        User = get_user_model()
        password = make_password("bench")
        teams = Team.objects.bulk_create(
            Team(name=f"Team {n + 1}", is_default=n == 0) for n in range(team_count)
        )
        users = User.objects.bulk_create(
            User(
                username=f"bench{n + 1}",
                first_name=f"Agent{n + 1}",
                last_name="Bench",
                email=f"bench{n + 1}@desk.example",
                password=password,
            )
            for n in range(count)
        )
        now = timezone.now()
        agents = Agent.objects.bulk_create(
            Agent(user=user, team=teams[n % team_count], languages="en")
            for n, user in enumerate(users)
        )
        # Some agents are away, each with a backup from their own team.
        for n, agent in enumerate(agents):
            agent.backup = agents[(n + team_count) % count]
            if n % 8 == 7:
                agent.away_until = now + timedelta(days=self.random.randint(1, 10))
        Agent.objects.bulk_update(agents, ["backup", "away_until"])
        for n, team in enumerate(teams):
            team.lead = agents[n]
        Team.objects.bulk_update(teams, ["lead"])
        return agents, teams

    def categories(self, teams):
        names = [
            "Orders",
            "Billing",
            "Login",
            "Technical",
            "Shipping",
            "Accounts",
            "Mobile",
            "Other",
        ]
        categories = Category.objects.bulk_create(
            Category(name=name, default_team=teams[n % len(teams)]) for n, name in enumerate(names)
        )
        policy = SlaPolicy.objects.create(name="Standard", is_default=True, warning_minutes=30)
        SlaTarget.objects.bulk_create(
            SlaTarget(
                policy=policy,
                priority=priority,
                first_response_minutes=first,
                next_reply_minutes=later,
                resolution_minutes=resolution,
            )
            for priority, (first, later, resolution) in TARGETS.items()
        )
        self.policy = policy
        return categories

    def contacts(self, count, agents):
        organizations = Organization.objects.bulk_create(
            Organization(name=f"Organization {n + 1}") for n in range(max(count // 20, 1))
        )
        progress = Progress("contacts", count)
        made = []
        for chunk in batches(range(count)):
            made += Contact.objects.bulk_create(
                Contact(
                    name=f"{self.random.choice(WORDS).title()} Customer{n}",
                    email=f"customer{n}@example.com",
                    phone=f"+1 555 {n:07d}",
                    organization=organizations[n % len(organizations)] if n % 3 else None,
                    owner=agents[n % len(agents)],
                )
                for n in chunk
            )
            progress.add(len(chunk))
        return made

    def cases(self, count, contacts, categories, per_case):
        now = timezone.now()
        year = 365 * 24 * 60
        progress = Progress("cases", count)
        channels = list(Channel)
        for chunk in batches(range(count)):
            cases = []
            for n in chunk:
                contact = contacts[self.random.randrange(len(contacts))]
                status = self.random.choice(STATUS_MIX)
                created = now - timedelta(minutes=self.random.randrange(year))
                priority = self.random.choice([1, 2, 2, 2, 3, 4])
                first, later, resolution = TARGETS[priority]
                is_open = status in OPEN_STATUSES
                responded = status != Status.NEW
                case = Case(
                    subject=" ".join(self.random.sample(WORDS, 4)).capitalize(),
                    contact=contact,
                    channel=self.random.choice(channels),
                    category=categories[n % len(categories)],
                    priority=priority,
                    status=status,
                    assignee=contact.owner if n % 11 else None,
                    team=categories[n % len(categories)].default_team,
                    created_at=created,
                    last_activity_at=created + timedelta(hours=1),
                    last_activity_by=contact.name,
                    first_response_at=created + timedelta(minutes=first // 2)
                    if responded
                    else None,
                    resolved_at=None if is_open else created + timedelta(minutes=resolution // 2),
                    closed_at=created + timedelta(days=8) if status == Status.CLOSED else None,
                    sla_policy=self.policy,
                    first_response_due=None
                    if responded or not is_open
                    else created + timedelta(minutes=first),
                    resolution_due=created + timedelta(minutes=resolution) if is_open else None,
                )
                dues = [due for due in (case.first_response_due, case.resolution_due) if due]
                case.due_at = min(dues, default=None)
                # Old promises were reminded long ago; only those still ahead wait for the sweep.
                upcoming = [due - timedelta(minutes=30) for due in dues if due > now]
                case.remind_at = min(upcoming, default=None)
                cases.append(case)
            cases = Case.objects.bulk_create(cases)
            messages, events = [], []
            for case in cases:
                for index in range(per_case):
                    from_agent = index % 2 == 1 and case.assignee_id
                    messages.append(
                        Message(
                            case=case,
                            author_contact=None if from_agent else case.contact,
                            author_agent_id=case.assignee_id if from_agent else None,
                            body=" ".join(self.random.choices(WORDS, k=40)),
                            is_internal=index == 2,
                            channel=case.channel,
                            created_at=case.created_at + timedelta(minutes=20 * index),
                        )
                    )
                events.append(
                    CaseEvent(
                        case=case,
                        kind=CaseEvent.Kind.CREATED,
                        detail="Opened for the benchmark.",
                        created_at=case.created_at,
                    )
                )
            Message.objects.bulk_create(messages, batch_size=BATCH)
            CaseEvent.objects.bulk_create(events, batch_size=BATCH)
            self.outcomes_and_ratings(cases)
            progress.add(len(chunk))

    def outcomes_and_ratings(self, cases):
        """Response-time outcomes (about one in seven missed) and ratings of a third of the
        solved cases, some with a comment and the 0-10 question, for the reports."""
        outcomes, ratings = [], []
        for case in cases:
            first, _later, resolution = TARGETS[case.priority]
            late = self.random.random() < 0.15
            if case.first_response_at:
                due = case.created_at + timedelta(minutes=first)
                done = due + timedelta(minutes=first // 2) if late else case.first_response_at
                outcomes.append(self.outcome(case, Target.FIRST_RESPONSE, due, done))
            if case.resolved_at:
                due = case.created_at + timedelta(minutes=resolution)
                done = due + timedelta(minutes=resolution // 2) if late else case.resolved_at
                outcomes.append(self.outcome(case, Target.RESOLUTION, due, done))
                if self.random.random() < 0.33:
                    score = self.random.choice([5, 5, 5, 4, 4, 3, 2, 1])
                    ratings.append(
                        CaseRating(
                            case=case,
                            agent_id=case.assignee_id,
                            score=score,
                            recommend=self.random.randrange(11)
                            if self.random.random() < 0.5
                            else None,
                            comment="Thanks for the quick help." if score >= 4 else "",
                            created_at=case.resolved_at + timedelta(hours=2),
                        )
                    )
        SlaOutcome.objects.bulk_create(outcomes, batch_size=BATCH)
        CaseRating.objects.bulk_create(ratings, batch_size=BATCH)

    @staticmethod
    def outcome(case, target, due, done):
        return SlaOutcome(
            case=case,
            target=target,
            due_at=due,
            done_at=done,
            met=done <= due,
            margin_seconds=int((due - done).total_seconds()),
        )
