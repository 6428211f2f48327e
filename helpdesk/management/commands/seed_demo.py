"""Demo data for development: teams, agents, contacts and cases in every state."""

from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agents.models import Agent, BusinessCalendar, Team
from cases.models import (
    CannedAnswer,
    Case,
    CaseEvent,
    Category,
    Channel,
    Phrase,
    Priority,
    SlaPolicy,
    SlaTarget,
    Status,
)
from cases.sla import due, reminders
from contacts.models import Contact, Organization
from knowledge.demo import seed_articles

PASSWORD = "demo"
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
        self.stdout.write(
            "Log in at /accounts/login/ as manager (manager, admin) or agent1 … agent5 (agents); "
            f"the password is '{PASSWORD}' for all."
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
            agents.append(Agent.objects.create(user=user, team=teams[team], languages=languages))
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
        for index, (name, language) in enumerate(CONTACTS):
            first, _, last = name.partition(" ")
            contacts.append(
                Contact.objects.create(
                    name=name,
                    email=f"{first}.{last}@example.com".lower(),
                    phone=f"+1 555 01{index:02d}",
                    organization=organizations[index % len(organizations)] if index % 3 else None,
                    language=language,
                    owner=agents[index % len(agents)],
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
