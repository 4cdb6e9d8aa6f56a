"""The indexes the ledger list and its filters need at millions of visits (docs/ledger-indexes.md).

Every database: (target_type, visit_date), (channel, visit_date) and visit_date of the return
visits, so each filter walks its own rows newest first; (unit, visit_date) becomes
(unit, visit_date, target_type, channel, is_return_visit), so a unit's filtered count is read
from the index alone; the single-column indexes of `Visit.unit`, `VisitOfficer.visit` and
`VisitOfficer.officer` go, each the leading column of another index.

PostgreSQL only (SQLite needs nothing and gets nothing):

- `ledger_name_grams(text)`: the characters and character pairs of a name, and a GIN index on
  it for the target-name filter (`contains`). pg_trgm cannot serve it: its trigrams need three
  characters, and most names are two or three (`%张伟%` scans the table with a trigram index).
- larger statistics samples for `VisitOfficer.officer` and `Visit.unit`, so the planner knows
  how many visits one officer or unit has (with the default it took a light officer for an
  average one and walked the whole date index to find his 50 newest visits).

Applying this migration to 5,000,000 visits took 90 s on the 2-core bench machine (busy with
other work; the GIN index about 25 s of it), the table taking no writes meanwhile.
"""

from django.db import migrations, models

GRAMS_INDEX = "visit_name_grams_idx"

# Immutable, so an index may use it; PL/pgSQL measured faster than a set-returning SQL function
# (5,000,000 names: 25 s against 62 s for the GIN build). Single characters serve one-character
# searches, pairs every longer one (ledger.querysets.VisitQuerySet.name_contains).
GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_name_grams(value text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  grams text[] := string_to_array(value, NULL);
BEGIN
  FOR i IN 1 .. char_length(value) - 1 LOOP
    grams := grams || substr(value, i, 2);
  END LOOP;
  RETURN grams;
END
$$
"""

STATISTICS = (("ledger_visitofficer", "officer_id", 1000), ("ledger_visit", "unit_id", 1000))


def postgresql_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("ledger", "Visit")._meta.db_table)
    schema_editor.execute(GRAMS_FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {GRAMS_INDEX} ON {table} "
        "USING gin (ledger_name_grams(target_name))"
    )
    for name, column, target in STATISTICS:
        schema_editor.execute(f"ALTER TABLE {name} ALTER COLUMN {column} SET STATISTICS {target}")
    for name in ("ledger_visit", "ledger_visitofficer"):
        schema_editor.execute(f"ANALYZE {name}")


def postgresql_backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {GRAMS_INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS ledger_name_grams(text)")
    for name, column, _target in STATISTICS:
        schema_editor.execute(f"ALTER TABLE {name} ALTER COLUMN {column} SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_visitdailycity"),
        ("org", "0002_user_must_change_password_usersession"),
    ]

    operations = [
        migrations.AlterField(
            model_name="visit",
            name="unit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.PROTECT,
                related_name="visits",
                to="org.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AlterField(
            model_name="visitofficer",
            name="officer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.PROTECT,
                related_name="+",
                to="org.officer",
            ),
        ),
        migrations.AlterField(
            model_name="visitofficer",
            name="visit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.CASCADE,
                related_name="+",
                to="ledger.visit",
            ),
        ),
        migrations.RemoveIndex(model_name="visit", name="visit_unit_date_idx"),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["unit", "visit_date", "target_type", "channel", "is_return_visit"],
                name="visit_unit_date_filters_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["target_type", "visit_date"], name="visit_type_date_idx"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["channel", "visit_date"], name="visit_channel_date_idx"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=models.Q(("is_return_visit", True)),
                fields=["visit_date"],
                name="visit_return_date_idx",
            ),
        ),
        migrations.RunPython(postgresql_forwards, postgresql_backwards, elidable=False),
    ]
