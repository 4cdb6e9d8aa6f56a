# The row hashes of the audit rows written before the chain existed (a data migration apart
# from the schema changes: PostgreSQL refuses ALTER TABLE with pending trigger events).

from django.db import migrations


def fill_row_hashes(apps, schema_editor):
    """Hash the audit rows written before the chain existed (sealing links them later)."""
    from zoufang.core.auditchain import row_digest

    AuditLog = apps.get_model("core", "AuditLog")
    db = schema_editor.connection.alias
    rows = AuditLog.objects.using(db).filter(row_hash="").order_by("id")
    batch = []
    for row in rows.iterator(chunk_size=2000):
        row.row_hash = row_digest(row)
        batch.append(row)
        if len(batch) >= 2000:
            AuditLog.objects.using(db).bulk_update(batch, ["row_hash"])
            batch = []
    if batch:
        AuditLog.objects.using(db).bulk_update(batch, ["row_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_chain"),
    ]

    operations = [
        migrations.RunPython(fill_row_hashes, migrations.RunPython.noop, elidable=True),
    ]
