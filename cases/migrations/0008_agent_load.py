"""Open cases per agent, counted by triggers on cases_case: routing reads one row per agent
instead of counting their cases (at a million cases, that count was most of a new case's
cost). Triggers, not code, so every write counts: services, admin, bulk updates, deletes."""

import django.db.models.deletion
from django.db import migrations, models


# The open statuses, as cases.models.OPEN_STATUSES has them when this was written; a
# change there needs a migration that writes these triggers again.
OPEN = "('new', 'open', 'waiting')"

POSTGRESQL = [
    f"""
    CREATE FUNCTION cases_agentload_case() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.assignee_id IS NOT NULL AND OLD.status IN {OPEN} THEN
            UPDATE cases_agentload SET open_cases = open_cases - 1
            WHERE agent_id = OLD.assignee_id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.assignee_id IS NOT NULL AND NEW.status IN {OPEN} THEN
            UPDATE cases_agentload SET open_cases = open_cases + 1
            WHERE agent_id = NEW.assignee_id;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER cases_agentload_insert_delete AFTER INSERT OR DELETE ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_agentload_case()
    """,
    """
    CREATE TRIGGER cases_agentload_update AFTER UPDATE OF status, assignee_id ON cases_case
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)
    EXECUTE FUNCTION cases_agentload_case()
    """,
    """
    CREATE FUNCTION cases_agentload_agent() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO cases_agentload (agent_id, open_cases) VALUES (NEW.id, 0)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER cases_agentload_new_agent AFTER INSERT ON helpdesk_agent
    FOR EACH ROW EXECUTE FUNCTION cases_agentload_agent()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER cases_agentload_new_agent ON helpdesk_agent",
    "DROP TRIGGER cases_agentload_update ON cases_case",
    "DROP TRIGGER cases_agentload_insert_delete ON cases_case",
    "DROP FUNCTION cases_agentload_agent()",
    "DROP FUNCTION cases_agentload_case()",
]

SQLITE = [
    f"""
    CREATE TRIGGER cases_agentload_insert AFTER INSERT ON cases_case
    WHEN NEW.assignee_id IS NOT NULL AND NEW.status IN {OPEN}
    BEGIN
        UPDATE cases_agentload SET open_cases = open_cases + 1 WHERE agent_id = NEW.assignee_id;
    END
    """,
    f"""
    CREATE TRIGGER cases_agentload_delete AFTER DELETE ON cases_case
    WHEN OLD.assignee_id IS NOT NULL AND OLD.status IN {OPEN}
    BEGIN
        UPDATE cases_agentload SET open_cases = open_cases - 1 WHERE agent_id = OLD.assignee_id;
    END
    """,
    f"""
    CREATE TRIGGER cases_agentload_update AFTER UPDATE OF status, assignee_id ON cases_case
    WHEN OLD.status IS NOT NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id
    BEGIN
        UPDATE cases_agentload SET open_cases = open_cases - 1
        WHERE agent_id = OLD.assignee_id AND OLD.status IN {OPEN};
        UPDATE cases_agentload SET open_cases = open_cases + 1
        WHERE agent_id = NEW.assignee_id AND NEW.status IN {OPEN};
    END
    """,
    """
    CREATE TRIGGER cases_agentload_new_agent AFTER INSERT ON helpdesk_agent
    BEGIN
        INSERT OR IGNORE INTO cases_agentload (agent_id, open_cases) VALUES (NEW.id, 0);
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER cases_agentload_new_agent",
    "DROP TRIGGER cases_agentload_update",
    "DROP TRIGGER cases_agentload_delete",
    "DROP TRIGGER cases_agentload_insert",
]

# Every agent has a row, counted from the cases they hold now.
FILL = f"""
    INSERT INTO cases_agentload (agent_id, open_cases)
    SELECT agent.id, (SELECT COUNT(*) FROM cases_case
                      WHERE cases_case.assignee_id = agent.id AND cases_case.status IN {OPEN})
    FROM helpdesk_agent agent
"""


def triggers_create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in [*(POSTGRESQL if postgresql else SQLITE), FILL]:
        schema_editor.execute(statement)


def triggers_drop(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL_DROP if postgresql else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0002_agent_notify_by_mail"),
        ("cases", "0007_staged_files"),
    ]

    operations = [
        migrations.CreateModel(
            name="AgentLoad",
            fields=[
                (
                    "agent",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="workload",
                        serialize=False,
                        to="agents.agent",
                    ),
                ),
                ("open_cases", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "cases_agentload",
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
