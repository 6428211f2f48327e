"""Demo data for development: teams, agents, contacts and cases in every state, and a few
months of solved cases behind them for the managers' reports."""

import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from agents.models import Agent, BusinessCalendar, Team
from cases.models import (
    CannedAnswer,
    Case,
    CaseEvent,
    CaseRating,
    Category,
    Channel,
    Message,
    Phrase,
    Priority,
    SlaOutcome,
    SlaPolicy,
    SlaTarget,
    Status,
    Target,
)
from cases.sla import due, reminders
from cases.timeline import actor_name
from contacts.models import Contact, Organization
from knowledge.demo import seed_articles
from reports.facts import clocks_load
from reports.rollup import rollup_rebuild

PASSWORD = "demo"
DESK_IN_FRENCH = "agent3"
AGENTS = [
    # username, first, last, team, languages
    ("agent1", "Ana", "Silva", "Customer Care", "en,es"),
    ("agent2", "Ben", "Carter", "Customer Care", "en"),
    ("agent3", "Chloé", "Martin", "Customer Care", "en,fr"),
    ("agent4", "Dev", "Patel", "Billing", "en"),
    ("agent5", "Eva", "Novak", "Billing", "en,fr"),
]
CATEGORIES = [
    ("Orders and delivery", "Customer Care", Priority.NORMAL),
    ("Technical problem", "Customer Care", Priority.HIGH),
    ("Billing and invoices", "Billing", Priority.NORMAL),
    ("Account access", "Billing", Priority.HIGH),
]
ORGANIZATIONS = ["Acme Bakery", "Northwind Traders", "Blue Harbor Clinic", "Greenfield School"]
CONTACTS = [
    ("Maria Garcia", "es"),
    ("John Smith", "en"),
    ("Léa Dubois", "fr"),
    ("Tom Becker", "en"),
    ("Sofia Rossi", "en"),
    ("Ahmed Khan", "en"),
    ("Emma Wilson", "en"),
    ("Lucas Moreau", "fr"),
    ("Olivia Brown", "en"),
    ("Noah Jones", "en"),
    ("Carmen López", "es"),
    ("Mia Fischer", "en"),
    ("Liam Taylor", "en"),
    ("Zoé Bernard", "fr"),
    ("Ethan Clark", "en"),
    ("Ava Lewis", "en"),
    ("Hugo Laurent", "fr"),
    ("Isla Walker", "en"),
    ("Diego Torres", "es"),
    ("Grace Hall", "en"),
]
SUBJECTS = [
    (
        "My order has not arrived",
        "I ordered a set of mixing bowls ten days ago and tracking has not moved since Monday.",
    ),
    (
        "Invoice shows the wrong amount",
        "This month's invoice charges us for 12 seats, but we only have 9 users.",
    ),
    (
        "Cannot log in after password reset",
        "I reset my password this morning and now the login page says my account is locked.",
    ),
    (
        "App crashes when exporting a report",
        "Every time I export the monthly report as PDF the app closes without a message.",
    ),
    (
        "Change of billing address",
        "We moved offices. Please update our billing address for future invoices.",
    ),
    ("Damaged item in delivery", "The glass lid in my parcel was broken. I attached a photo."),
    (
        "Refund for a cancelled order",
        "I cancelled order 4471 within the hour but have not seen the refund.",
    ),
    (
        "Two-factor codes not arriving",
        "The text messages with my login code never arrive on my phone.",
    ),
]
CANNED_ANSWERS = [
    (
        "Looking into it",
        "Hi {first_name},\n\nThank you for telling us about this. I have your request "
        "({reference}) and I am looking into it now. I will write again today with what I find."
        "\n\nBest regards,\n{agent_first_name}",
        None,
    ),
    (
        "Need more details",
        "Hi {first_name},\n\nSo that I can solve this quickly, could you tell me when it "
        "started and send a screenshot of what you see?\n\nThank you,\n{agent_first_name}",
        None,
    ),
    (
        "Invoice corrected",
        "Hi {first_name},\n\nI have corrected the invoice and a new copy is on its way. "
        "The difference will be credited within five working days.\n\n{agent_name}",
        "Billing",
    ),
]
PHRASES = [
    ("unfortunately", "here is what we can do", "Lead with the solution, not the setback."),
    ("you have to", "please", "An instruction reads as a request."),
    ("that's not my department", "let me find the right person for you", ""),
    ("calm down", "I understand this is frustrating", "Acknowledge the feeling."),
    ("no problem", "happy to help", "Say what you are, not what it isn't."),
]
STATUSES = [Status.NEW, Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED]
CHANNELS = list(Channel)

# The history behind the live cases: solved cases over the last four months, the same
# every time (a fixed seed), so the reports page has figures to show.
HISTORY_DAYS = 120
HISTORY_SEED = 2024
# The 30 live cases are opened over the last nine days; history adds fewer there.
LIVE_DAYS = 9
HISTORY_SUBJECTS = {
    "Orders and delivery": [
        SUBJECTS[0],
        SUBJECTS[5],
        (
            "Send my order to another address",
            "Can my order go to our office instead? I will not be home this week.",
        ),
        ("Wrong size delivered", "I ordered the 28 cm pan and received the 24 cm one."),
    ],
    "Technical problem": [
        SUBJECTS[3],
        ("The app is slow since the update", "Every page takes ten seconds to open today."),
        ("Exported file is empty", "The CSV export downloads, but it has only the header row."),
    ],
    "Billing and invoices": [
        SUBJECTS[1],
        SUBJECTS[4],
        SUBJECTS[6],
        ("Charged twice this month", "My card statement shows the subscription twice."),
    ],
    "Account access": [
        SUBJECTS[2],
        SUBJECTS[7],
        ("Add a colleague to our account", "Please give my colleague access to our invoices."),
    ],
}
HISTORY_CATEGORY_WEIGHTS = {
    "Orders and delivery": 35,
    "Technical problem": 20,
    "Billing and invoices": 25,
    "Account access": 20,
}
HISTORY_CHANNEL_WEIGHTS = {
    Channel.EMAIL: 40,
    Channel.WEB: 25,
    Channel.CHAT: 15,
    Channel.PHONE: 12,
    Channel.SOCIAL: 5,
    Channel.WALK_IN: 3,
}
# Customers write most between nine and five; the weights are for 7:00 to 21:00.
WEEKDAY_HOUR_WEIGHTS = [2, 5, 8, 9, 9, 8, 7, 8, 8, 7, 6, 4, 3, 2, 1]
ASKING_REPLIES = [
    "Hi {first_name},\n\nThank you for writing. Could you send me the order number and a "
    "screenshot of what you see?\n\n{agent}",
    "Hi {first_name},\n\nI am sorry about this. Could you tell me when it started, so that I "
    "can check our side?\n\n{agent}",
]
LOOKING_INTO_IT = (
    "Hi {first_name},\n\nThank you, that helps. This needs a closer look on our side; I will "
    "write again as soon as I know more.\n\n{agent}"
)
SOLVING_REPLIES = [
    "Hi {first_name},\n\nThis is sorted: I have fixed it on our side and you should see the "
    "change now. Write back if anything is still wrong.\n\n{agent}",
    "Hi {first_name},\n\nThank you, that was what I needed. It is corrected now, and I have "
    "noted it on your account so it does not happen again.\n\n{agent}",
    "Hi {first_name},\n\nAll done: I have made the change on our side, and you will see it "
    "within the hour. I am closing this request; a reply opens it again.\n\n{agent}",
]
FOLLOW_UPS = [
    "Here is the screenshot you asked for.",
    "Here are the details you asked for. Thank you for looking.",
    "I tried that, but it still happens.",
    "It started on Monday, after the update.",
]
REOPENINGS = [
    "Sorry, it happened again this morning.",
    "I checked again, and it is still not right.",
    "It worked for a day, and now the same problem is back.",
]
GOOD_COMMENTS = [
    "Quick and friendly, thank you!",
    "Solved in one email. Great service.",
    "Clear answer, exactly what I needed.",
    "Sorted the same day. Impressed.",
]
POOR_COMMENTS = [
    "Solved in the end, but it took several emails.",
    "I had to explain the problem twice.",
    "It took days to get an answer.",
    "The problem came back the next day.",
]


class Command(BaseCommand):
    help = "Load demo data (development only). Safe to run again: it does nothing the second time."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run when DJANGO_ENV=production.")
        User = get_user_model()
        if User.objects.filter(username="manager").exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            self.seed()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        # Knowledge base (its own check, so older demo databases get the articles too).
        if seed_articles(author=User.objects.get(username="manager")):
            self.stdout.write(self.style.SUCCESS("Demo articles loaded."))
        # History too (its own check: an older demo database gets it on the next run).
        if not Case.objects.filter(created_at__lt=timezone.now() - timedelta(days=30)).exists():
            count = self.seed_history()
            self.stdout.write(self.style.SUCCESS(f"{count} solved cases of history loaded."))
        self.stdout.write(
            "Log in at /accounts/login/ as manager (manager, admin) or agent1 … agent5 (agents); "
            f"the password is '{PASSWORD}' for all. The manager sets up two-factor login (an "
            "authenticator app) at the first login."
        )

    @transaction.atomic
    def seed(self):
        User = get_user_model()
        now = timezone.now()
        manager_user = User.objects.create_superuser(
            "manager", "manager@helpdesk.localhost", PASSWORD, first_name="Maya", last_name="Reed"
        )
        manager = Agent.objects.create(user=manager_user, languages="en")
        teams = {
            name: Team.objects.create(name=name, lead=manager, is_default=name == "Customer Care")
            for name in ("Customer Care", "Billing")
        }
        agents = []
        for username, first, last, team, languages in AGENTS:
            user = User.objects.create_user(
                username,
                f"{username}@helpdesk.localhost",
                PASSWORD,
                first_name=first,
                last_name=last,
            )
            agents.append(
                Agent.objects.create(
                    user=user,
                    team=teams[team],
                    languages=languages,
                    # Chloé works the desk in French; the others follow their browser.
                    desk_language="fr" if username == DESK_IN_FRENCH else "",
                )
            )
        # Chloé is on leave this week; Ana takes her contacts.
        agents[2].backup = agents[0]
        agents[2].away_until = now + timedelta(days=4)
        agents[2].save()
        for index, agent in enumerate(agents):
            if agent.backup_id is None:
                agent.backup = agents[index + 1] if index in (0, 3) else agents[index - 1]
                agent.save(update_fields=["backup"])
        categories = [
            Category.objects.create(name=name, default_team=teams[team], default_priority=priority)
            for name, team, priority in CATEGORIES
        ]
        for title, body, team in CANNED_ANSWERS:
            CannedAnswer.objects.create(title=title, body=body, team=teams.get(team))
        for avoid, prefer, why in PHRASES:
            Phrase.objects.create(avoid=avoid, prefer=prefer, why=why)
        self.seed_response_times(categories)
        organizations = [Organization.objects.create(name=name) for name in ORGANIZATIONS]
        contacts = []
        speakers = {
            code: [agent for agent in agents if code in agent.languages.split(",")]
            for code, _name in settings.LANGUAGES
        }
        for index, (name, language) in enumerate(CONTACTS):
            first, _, last = name.partition(" ")
            contacts.append(
                Contact.objects.create(
                    name=name,
                    email=f"{first}.{last}@example.com".lower(),
                    phone=f"+1 555 01{index:02d}",
                    organization=organizations[index % len(organizations)] if index % 3 else None,
                    language=language,
                    # An owner who speaks the contact's language.
                    owner=speakers[language][index % len(speakers[language])],
                )
            )
        for index in range(30):
            contact = contacts[index % len(contacts)]
            subject, body = SUBJECTS[index % len(SUBJECTS)]
            category = categories[index % len(categories)]
            status = STATUSES[index % len(STATUSES)]
            channel = CHANNELS[index % len(CHANNELS)]
            created = now - timedelta(hours=3 + index * 7)
            owner = contact.owner
            assignee = owner if owner.pk != agents[2].pk else agents[0]
            if index % 6 == 5:
                assignee = None  # waiting in the team queue
            case = Case.objects.create(
                subject=subject,
                contact=contact,
                channel=channel,
                category=category,
                priority=Priority.URGENT if index % 7 == 3 else category.default_priority,
                status=Status.NEW if assignee is None else status,
                assignee=assignee,
                team=assignee.team if assignee else category.default_team,
                created_at=created,
            )
            case.messages.create(
                author_contact=contact, body=body, channel=channel, created_at=created
            )
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.CREATED,
                created_at=created,
                detail=f"Opened by {contact.name} through the {channel.label.lower()}.",
            )
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.ROUTED,
                created_at=created,
                detail=(
                    f"Routed to {assignee.name}, the contact's owner."
                    if assignee
                    else f"No agent of {case.team.name} was available; "
                    f"left unassigned in the {case.team.name} queue."
                ),
            )
            if case.status != Status.NEW:
                replied = created + timedelta(hours=1)
                case.messages.create(
                    author_agent=assignee,
                    channel=Channel.EMAIL,
                    created_at=replied,
                    body=(
                        f"Hi {contact.first_name},\n\nThank you for letting us know. "
                        "I am looking into it now and will update you today.\n\n"
                        f"{assignee.first_name}"
                    ),
                )
                case.messages.create(
                    author_agent=assignee,
                    is_internal=True,
                    created_at=replied,
                    body="Checked the account: nothing unusual in the logs yet.",
                )
                case.first_response_at = replied
            if case.status in (Status.RESOLVED, Status.CLOSED):
                case.resolved_at = created + timedelta(hours=5)
            if case.status == Status.CLOSED:
                case.closed_at = created + timedelta(days=3)
            case.last_activity_at = case.first_response_at or created
            case.last_activity_by = assignee.name if case.first_response_at else contact.name
            if case.status == Status.WAITING:
                case.waiting_since = created + timedelta(hours=1)
            due.case_refresh(case)
            case.save()
        # Cases about to break their promise (an hour's first-response target, round the
        # clock, warned 15 minutes ahead): warnings come one by one, 5, 15 and 25 minutes
        # after the demo starts, and the breaches 15 minutes after each.
        for minutes_ago, contact in ((40, contacts[1]), (30, contacts[6]), (20, contacts[11])):
            created = now - timedelta(minutes=minutes_ago)
            case = Case.objects.create(
                subject="Checkout page shows an error",
                contact=contact,
                channel=Channel.CHAT,
                category=categories[1],
                priority=Priority.HIGH,
                assignee=agents[0],
                team=agents[0].team,
                created_at=created,
                last_activity_at=created,
                last_activity_by=contact.name,
            )
            case.messages.create(
                author_contact=contact,
                channel=Channel.CHAT,
                created_at=created,
                body="Payment fails with 'error 502' at the last step. I need to order today.",
            )
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.CREATED,
                created_at=created,
                detail=f"Opened by {contact.name} through the chat.",
            )
            due.case_refresh(case)
            case.save()
        # The demo starts calm: what fell due before it existed shows on the desk as
        # reminders already given, and only what falls due from now on is mailed.
        reminders.sweep(now=now, mail=False)

    def seed_response_times(self, categories):
        """Office hours for the desk, a standard policy on them, and round-the-clock
        support for technical problems."""
        office = BusinessCalendar.objects.create(name="Office hours", time_zone=settings.TIME_ZONE)
        for weekday in range(5):
            office.hours.create(weekday=weekday, start=time(8), end=time(18))
        standard = SlaPolicy.objects.create(
            name="Standard", is_default=True, calendar=office, warning_minutes=30
        )
        around_the_clock = SlaPolicy.objects.create(
            name="Technical problems, round the clock",
            category=categories[1],
            warning_minutes=15,
            escalation=SlaPolicy.Escalation.RAISE_PRIORITY,
        )
        # minutes: first response, next reply, resolution
        for policy, targets in (
            (
                standard,
                {1: (480, 480, 3000), 2: (240, 240, 1440), 3: (60, 120, 480), 4: (30, 60, 240)},
            ),
            (
                around_the_clock,
                {1: (240, 240, 2880), 2: (120, 120, 1440), 3: (60, 60, 480), 4: (20, 30, 240)},
            ),
        ):
            for priority, (first, later, resolution) in targets.items():
                SlaTarget.objects.create(
                    policy=policy,
                    priority=priority,
                    first_response_minutes=first,
                    next_reply_minutes=later,
                    resolution_minutes=resolution,
                )

    @transaction.atomic
    def seed_history(self) -> int:
        """About four months of solved cases across the demo's agents, contacts, categories
        and channels, then the reports' figures worked out from them. Returns how many."""
        agents = list(
            Agent.objects.filter(user__username__in=[row[0] for row in AGENTS])
            .select_related("user", "team")
            .order_by("user__username")
        )
        contacts = list(
            Contact.objects.filter(owner__in=agents)
            .select_related("owner__user", "owner__team", "owner__backup__user")
            .order_by("pk")
        )
        categories = list(Category.objects.order_by("pk"))
        if not (agents and contacts and categories):
            return 0
        history = History(
            now=timezone.now(), agents=agents, contacts=contacts, categories=categories
        )
        history.play_all()
        count = history.save()
        rollup_rebuild()
        return count


class CaseLife:
    """One history case as it happened: the case and its rows, not yet saved."""

    def __init__(self, case: Case):
        self.case = case
        self.messages: list[Message] = []
        self.events: list[CaseEvent] = []
        self.outcomes: list[SlaOutcome] = []
        self.rating: CaseRating | None = None

    def event(self, kind, at, detail, *, actor=None, name=""):
        # As cases.timeline.case_event does: each change raises the version and the activity.
        self.case.version += 1
        self.case.last_activity_at = at
        self.case.last_activity_by = name or actor_name(actor)
        self.events.append(
            CaseEvent(
                case=self.case,
                actor=actor,
                kind=kind,
                detail=detail,
                created_at=at,
                case_version=self.case.version,
            )
        )

    def status(self, after, at, *, actor=None, detail=""):
        if after == self.case.status:
            return
        before = self.case.get_status_display()
        self.case.status = after
        detail = detail or f"Status: {before} → {self.case.get_status_display()}."
        self.event(CaseEvent.Kind.STATUS, at, detail, actor=actor)

    def customer_wrote(self, at, body, *, channel=Channel.EMAIL):
        contact = self.case.contact
        self.messages.append(
            Message(
                case=self.case, author_contact=contact, body=body, channel=channel, created_at=at
            )
        )
        label = Channel(channel).label.lower()
        self.event(
            CaseEvent.Kind.CUSTOMER_WROTE, at, f"{contact.name} wrote ({label}).", name=contact.name
        )

    def agent_replied(self, agent, at, body):
        contact = self.case.contact
        body = body.format(first_name=contact.first_name, agent=agent.first_name)
        self.messages.append(
            Message(
                case=self.case, author_agent=agent, body=body, channel=Channel.EMAIL, created_at=at
            )
        )
        self.event(CaseEvent.Kind.REPLIED, at, f"Replied to {contact.name}.", actor=agent.user)

    def outcome(self, target, due_at, done_at):
        """A target met or missed, as cases.sla.due records it (none without a target)."""
        if due_at is None:
            return
        self.outcomes.append(
            SlaOutcome(
                case=self.case,
                target=target,
                due_at=due_at,
                done_at=done_at,
                met=done_at <= due_at,
                margin_seconds=int((due_at - done_at).total_seconds()),
            )
        )


class History:
    """Plays out the history cases day by day: the customer writes; the contact's owner
    answers (now and then another agent), within the policy's targets or, on a slow case,
    past them; some take a few rounds, a few are reopened or handed to a colleague; most are
    rated, and a week after being solved each is closed. The same every time (fixed seed)."""

    def __init__(self, *, now, agents, contacts, categories):
        self.now = now
        self.rng = random.Random(HISTORY_SEED)
        self.agents = agents
        self.contacts = contacts
        self.categories = categories
        self.default_policy = SlaPolicy.objects.filter(is_default=True).first()
        # The demo has no organization's policy: the category's applies, else the default.
        self.category_policies = {
            policy.category_id: policy
            for policy in SlaPolicy.objects.filter(category__isnull=False)
        }
        self.targets = {
            (target.policy_id, target.priority): target for target in SlaTarget.objects.all()
        }
        self.clocks = clocks_load()
        self.lives: list[CaseLife] = []

    def play_all(self):
        today = timezone.localtime(self.now).date()
        for offset in range(HISTORY_DAYS, 0, -1):
            day = today - timedelta(days=offset)
            weekend = day.weekday() >= 5
            count = self.rng.randint(0, 2) if weekend else self.rng.randint(3, 6)
            if offset <= LIVE_DAYS:
                count //= 2
            for created in sorted(self.moment(day, weekend) for _ in range(count)):
                life = self.play(created)
                if life is not None:
                    self.lives.append(life)

    def save(self) -> int:
        lives = self.lives
        Case.objects.bulk_create([life.case for life in lives], batch_size=500)
        Message.objects.bulk_create(
            [message for life in lives for message in life.messages], batch_size=1000
        )
        CaseEvent.objects.bulk_create(
            [event for life in lives for event in life.events], batch_size=1000
        )
        SlaOutcome.objects.bulk_create(
            [outcome for life in lives for outcome in life.outcomes], batch_size=1000
        )
        CaseRating.objects.bulk_create(
            [life.rating for life in lives if life.rating], batch_size=1000
        )
        return len(lives)

    def moment(self, day, weekend) -> datetime:
        if weekend:
            hour = self.rng.randint(9, 20)
        else:
            hour = self.rng.choices(range(7, 22), weights=WEEKDAY_HOUR_WEIGHTS)[0]
        return timezone.make_aware(datetime.combine(day, time(hour, self.rng.randint(0, 59))))

    def delay(self, minutes, slow) -> int:
        """Working minutes to an agent's reply against a target of `minutes`: mostly well
        within it; past it on a slow case, and now and then on any."""
        minutes = minutes or 240
        if slow or self.rng.random() < 0.08:
            return round(minutes * self.rng.uniform(1.1, 2.5))
        return self.rng.randint(max(1, minutes // 20), max(2, minutes * 9 // 10))

    def stranger(self, contact, category, *, besides=None):
        """An agent who is neither the contact's owner nor the owner's backup, from the
        category's team where there is one."""
        known = {contact.owner_id, contact.owner.backup_id, besides.pk if besides else None}
        others = [agent for agent in self.agents if agent.pk not in known]
        same_team = [agent for agent in others if agent.team_id == category.default_team_id]
        return self.rng.choice(same_team or others or [contact.owner])

    def route(self, contact, category, created):
        """The contact's owner, mostly; about one case in ten went to another agent while
        the owner and the backup were both away."""
        owner = contact.owner
        if self.rng.random() >= 0.10:
            return owner, f"Routed to {owner.name}, the contact's owner."
        agent = self.stranger(contact, category)
        back = timezone.localtime(created + timedelta(days=self.rng.randint(1, 5)))
        away = f"is away until {date_format(back, 'j M')}"
        why = f"Owner {owner.name} {away}; "
        if owner.backup_id:
            why += f"backup {owner.backup.name} {away}; "
        team = agent.team.name if agent.team_id else "the desk"
        load = self.rng.randint(1, 6)
        return agent, why + (
            f"routed to {agent.name}, the least-loaded available agent of {team} ({load} open)."
        )

    def play(self, created) -> CaseLife | None:
        """One case from the customer's first message to its close; None if it would not
        be solved by now (the live cases stand for those)."""
        rng = self.rng
        weights = [HISTORY_CATEGORY_WEIGHTS.get(category.name, 20) for category in self.categories]
        category = rng.choices(self.categories, weights=weights)[0]
        contact = rng.choice(self.contacts)
        channel = rng.choices(
            list(HISTORY_CHANNEL_WEIGHTS), weights=list(HISTORY_CHANNEL_WEIGHTS.values())
        )[0]
        subject, body = rng.choice(HISTORY_SUBJECTS.get(category.name, SUBJECTS))
        priority = rng.choices(
            [category.default_priority, Priority.LOW, Priority.URGENT], weights=[85, 10, 5]
        )[0]
        policy = self.category_policies.get(category.pk, self.default_policy)
        target = self.targets.get((policy.pk, priority)) if policy else None
        clock = self.clocks.get(policy.calendar_id if policy else None) or self.clocks[None]

        def minutes(name):
            return target.minutes(name) if target else None

        def due_at(start, name, paused=0):
            return clock.add(start, minutes(name) + paused) if minutes(name) else None

        assignee, routed = self.route(contact, category, created)
        case = Case(
            subject=subject,
            contact=contact,
            channel=channel,
            category=category,
            priority=priority,
            assignee=assignee,
            team=assignee.team or category.default_team,
            created_at=created,
            sla_policy=policy,
        )
        life = CaseLife(case)
        life.messages.append(
            Message(
                case=case, author_contact=contact, body=body, channel=channel, created_at=created
            )
        )
        label = Channel(channel).label.lower()
        life.event(
            CaseEvent.Kind.CREATED,
            created,
            f"Opened by {contact.name} through the {label}.",
            name=contact.name,
        )
        life.event(CaseEvent.Kind.ROUTED, created, routed)
        slow = rng.random() < 0.10
        replied = clock.add(created, self.delay(minutes(Target.FIRST_RESPONSE), slow))
        handed = assignee.pk == contact.owner_id and rng.random() < 0.05
        if handed:
            colleague = self.stranger(contact, category, besides=assignee)
            why = (
                f"a question for {colleague.team.name}."
                if colleague.team_id and colleague.team_id != assignee.team_id
                else f"{colleague.first_name} knows this best."
            )
            halfway = (replied - created) // timedelta(minutes=2)
            life.event(
                CaseEvent.Kind.REASSIGNED,
                created + timedelta(minutes=rng.randint(1, halfway + 1)),
                f"Reassigned from {assignee.name} to {colleague.name}: {why}",
                actor=assignee.user,
            )
            assignee = case.assignee = colleague
            case.team = colleague.team or case.team
        life.outcome(Target.FIRST_RESPONSE, due_at(created, Target.FIRST_RESPONSE), replied)
        case.first_response_at = replied
        paused = 0
        for _ in range(0 if rng.random() < 0.55 else rng.choice([1, 1, 2])):
            life.agent_replied(assignee, replied, rng.choice(ASKING_REPLIES))
            life.status(Status.WAITING, replied, actor=assignee.user)
            wrote = replied + timedelta(minutes=rng.randint(20, 2 * 24 * 60))
            paused += clock.minutes_between(replied, wrote)  # the clock stops while waiting
            life.customer_wrote(wrote, rng.choice(FOLLOW_UPS))
            life.status(Status.OPEN, wrote)
            replied = clock.add(wrote, self.delay(minutes(Target.NEXT_REPLY), slow))
            life.outcome(Target.NEXT_REPLY, due_at(wrote, Target.NEXT_REPLY), replied)
        hard = rng.random() < 0.12
        if hard:
            # The agent says they are on it, and solves it after a day or more of digging.
            life.agent_replied(assignee, replied, LOOKING_INTO_IT)
            life.status(Status.OPEN, replied, actor=assignee.user)
            digging = (minutes(Target.RESOLUTION) or 1440) * rng.uniform(0.3, 1.3)
            replied = clock.add(replied, round(digging))
        life.agent_replied(assignee, replied, rng.choice(SOLVING_REPLIES))
        life.status(Status.RESOLVED, replied, actor=assignee.user)
        life.outcome(Target.RESOLUTION, due_at(created, Target.RESOLUTION, paused), replied)
        resolved = replied
        reopened = rng.random() < 0.06
        if reopened:
            wrote = resolved + timedelta(minutes=rng.randint(60, 3 * 24 * 60))
            paused += clock.minutes_between(resolved, wrote)  # nor does time spent solved count
            life.customer_wrote(wrote, rng.choice(REOPENINGS))
            life.status(Status.OPEN, wrote)
            life.event(
                CaseEvent.Kind.REOPENED,
                wrote,
                f"Reopened: {contact.name} wrote after the case was resolved.",
                name=contact.name,
            )
            resolved = clock.add(wrote, self.delay(minutes(Target.NEXT_REPLY), slow))
            life.outcome(Target.NEXT_REPLY, due_at(wrote, Target.NEXT_REPLY), resolved)
            life.agent_replied(assignee, resolved, rng.choice(SOLVING_REPLIES))
            life.status(Status.RESOLVED, resolved, actor=assignee.user)
            life.outcome(Target.RESOLUTION, due_at(created, Target.RESOLUTION, paused), resolved)
        if resolved > self.now:
            return None
        case.resolved_at = resolved
        case.paused_minutes = paused
        rated = resolved + timedelta(minutes=rng.randint(5, 2 * 24 * 60))
        if rng.random() < 0.6 and rated < self.now:
            life.rating = self.rating(case, rated, troubled=slow or hard or reopened or handed)
            comment = " With a comment." if life.rating.comment else ""
            life.event(
                CaseEvent.Kind.RATED,
                rated,
                f"Rated {life.rating.score}/5.{comment}",
                name=contact.name,
            )
        closed = resolved + timedelta(days=settings.AUTO_CLOSE_DAYS)
        if closed <= self.now:
            case.closed_at = closed
            life.status(
                Status.CLOSED,
                closed,
                detail=f"Closed automatically {settings.AUTO_CLOSE_DAYS} days after "
                "it was resolved.",
            )
        return life

    def rating(self, case, at, *, troubled) -> CaseRating:
        """A customer's rating: mostly good, worse after a case that dragged or bounced."""
        rng = self.rng
        weights = [15, 20, 30, 25, 10] if troubled else [2, 3, 10, 30, 55]
        score = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
        low, high = {1: (0, 4), 2: (2, 6), 3: (5, 8), 4: (7, 9), 5: (8, 10)}[score]
        recommend = rng.randint(low, high) if rng.random() < 0.7 else None
        comment = ""
        if rng.random() < 0.35:
            comment = rng.choice(GOOD_COMMENTS if score >= 4 else POOR_COMMENTS)
        return CaseRating(
            case=case,
            agent=case.assignee,
            score=score,
            recommend=recommend,
            comment=comment,
            created_at=at,
        )
