from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION patients_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER patients_auditevent_append_only
    BEFORE UPDATE OR DELETE ON patients_auditevent
    FOR EACH ROW EXECUTE FUNCTION patients_auditevent_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS patients_auditevent_append_only ON patients_auditevent;
DROP FUNCTION IF EXISTS patients_auditevent_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_clinicalnote_auditevent")]
    operations = [migrations.RunPython(forbid, allow)]
