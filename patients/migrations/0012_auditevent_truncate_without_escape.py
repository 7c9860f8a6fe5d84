from django.db import migrations

# The TRUNCATE trigger refuses every TRUNCATE: no setting lets one through. The test suite's flush (which
# must empty the table between tests) disables the trigger in its own transaction instead (tests/conftest.py),
# something only the table's owner may do.
FORBID = """
CREATE OR REPLACE FUNCTION patients_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be truncated';
END;
$$ LANGUAGE plpgsql;
"""
# Back to 0007's function.
WITH_SETTING = """
CREATE OR REPLACE FUNCTION patients_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('rehab.flush_test_database', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events cannot be truncated';
END;
$$ LANGUAGE plpgsql;
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WITH_SETTING)


class Migration(migrations.Migration):
    dependencies = [("patients", "0011_patient_side_history")]
    operations = [migrations.RunPython(forbid, backwards)]
