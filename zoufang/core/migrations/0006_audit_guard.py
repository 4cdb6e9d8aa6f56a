# Hand-written: every audit row must carry its hash, and triggers make core_auditlog and
# core_auditpurge append-only at the database (see zoufang/core/auditchain.py).
#
# core_auditlog: UPDATE is refused except sealing's (chain_seq and chain_hash from NULL to a
# value, every other column unchanged); DELETE is refused except for a sealed row older than
# 184 days that the latest core_auditpurge record covers (position and cutoff); PostgreSQL
# also refuses TRUNCATE. core_auditpurge: UPDATE, DELETE and TRUNCATE refused.
#
# The SQL is frozen here. On SQLite, a later migration that alters core_auditlog recreates the
# table without its triggers: such a migration must create them again.

from django.db import migrations, models

RETENTION = "184 days"  # the legal minimum; ZOUFANG_AUDIT_RETENTION_DAYS may only be longer

POSTGRESQL = [
    f"""
    CREATE FUNCTION core_auditlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF OLD.chain_seq IS NULL AND OLD.chain_hash IS NULL
               AND NEW.chain_seq IS NOT NULL AND NEW.chain_hash IS NOT NULL
               AND to_jsonb(NEW) - 'chain_seq' - 'chain_hash'
                   = to_jsonb(OLD) - 'chain_seq' - 'chain_hash' THEN
                RETURN NEW;
            END IF;
        ELSIF TG_OP = 'DELETE' THEN
            IF OLD.chain_seq IS NOT NULL
               AND OLD.at < now() - interval '{RETENTION}'
               AND EXISTS (
                   SELECT 1 FROM core_auditpurge AS p
                   WHERE p.id = (SELECT max(id) FROM core_auditpurge)
                     AND OLD.chain_seq <= p.through_seq
                     AND OLD.at < p.cutoff
               ) THEN
                RETURN OLD;
            END IF;
        END IF;
        RAISE EXCEPTION 'core_auditlog is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditlog_append_only BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only()
    """,
    """
    CREATE TRIGGER core_auditlog_no_truncate BEFORE TRUNCATE ON core_auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_append_only()
    """,
    """
    CREATE FUNCTION core_auditpurge_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditpurge is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditpurge_append_only BEFORE UPDATE OR DELETE ON core_auditpurge
    FOR EACH ROW EXECUTE FUNCTION core_auditpurge_append_only()
    """,
    """
    CREATE TRIGGER core_auditpurge_no_truncate BEFORE TRUNCATE ON core_auditpurge
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditpurge_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditpurge_no_truncate ON core_auditpurge",
    "DROP TRIGGER IF EXISTS core_auditpurge_append_only ON core_auditpurge",
    "DROP FUNCTION IF EXISTS core_auditpurge_append_only()",
    "DROP TRIGGER IF EXISTS core_auditlog_no_truncate ON core_auditlog",
    "DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog",
    "DROP FUNCTION IF EXISTS core_auditlog_append_only()",
]

_UNCHANGED = " AND ".join(
    f'NEW."{column}" IS OLD."{column}"'
    for column in (
        "id", "at", "actor_id", "actor_name", "ip", "channel", "action", "object_type",
        "object_id", "object_repr", "before", "after", "note", "row_hash",
    )
)  # fmt: skip
SQLITE = [
    f"""
    CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
    WHEN NOT (
        OLD.chain_seq IS NULL AND OLD.chain_hash IS NULL
        AND NEW.chain_seq IS NOT NULL AND NEW.chain_hash IS NOT NULL
        AND {_UNCHANGED}
    )
    BEGIN
        SELECT RAISE(ABORT, 'core_auditlog is append-only: UPDATE refused');
    END
    """,
    f"""
    CREATE TRIGGER core_auditlog_no_delete BEFORE DELETE ON core_auditlog
    WHEN NOT (
        OLD.chain_seq IS NOT NULL
        AND OLD."at" < strftime('%Y-%m-%d %H:%M:%f', 'now', '-{RETENTION}')
        AND EXISTS (
            SELECT 1 FROM core_auditpurge AS p
            WHERE p.id = (SELECT max(id) FROM core_auditpurge)
              AND OLD.chain_seq <= p.through_seq
              AND OLD."at" < p.cutoff
        )
    )
    BEGIN
        SELECT RAISE(ABORT, 'core_auditlog is append-only: DELETE refused');
    END
    """,
    """
    CREATE TRIGGER core_auditpurge_no_update BEFORE UPDATE ON core_auditpurge
    BEGIN
        SELECT RAISE(ABORT, 'core_auditpurge is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER core_auditpurge_no_delete BEFORE DELETE ON core_auditpurge
    BEGIN
        SELECT RAISE(ABORT, 'core_auditpurge is append-only: DELETE refused');
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditpurge_no_delete",
    "DROP TRIGGER IF EXISTS core_auditpurge_no_update",
    "DROP TRIGGER IF EXISTS core_auditlog_no_delete",
    "DROP TRIGGER IF EXISTS core_auditlog_no_update",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise NotImplementedError(f"no append-only audit triggers for {vendor}")
    for sql in statements_by_vendor[vendor]:
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def uninstall(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_audit_row_hashes"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="auditlog",
            constraint=models.CheckConstraint(
                condition=models.Q(("row_hash", ""), _negated=True), name="audit_row_hash_set"
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
