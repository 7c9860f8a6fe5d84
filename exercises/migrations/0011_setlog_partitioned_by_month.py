"""Set logs partitioned by month on PostgreSQL (exercises/partitions.py); on any other database nothing changes.

The model is unchanged (Django still sees ``client_id`` unique and ``id`` the primary key): the table becomes a
range-partitioned one with the same columns, checks, indexes and foreign keys, a primary key of (id, date), a
lookup table holding every client id once, and the statement triggers that keep the lookup in step. Existing
rows move into month partitions; the months ahead are created too.
"""

import datetime as dt

from django.db import migrations

TRIGGERS = """
CREATE FUNCTION exercises_setlog_client_ids_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exercises_setlog_client_id (client_id) SELECT client_id FROM new_rows;
    RETURN NULL;
END $$;
CREATE FUNCTION exercises_setlog_client_ids_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM exercises_setlog_client_id l USING old_rows o WHERE l.client_id = o.client_id;
    RETURN NULL;
END $$;
CREATE FUNCTION exercises_setlog_client_ids_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o FULL JOIN new_rows n ON o.client_id = n.client_id
               WHERE o.client_id IS NULL OR n.client_id IS NULL) THEN
        DELETE FROM exercises_setlog_client_id l USING old_rows o
            WHERE l.client_id = o.client_id AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.client_id = o.client_id);
        INSERT INTO exercises_setlog_client_id (client_id) SELECT n.client_id FROM new_rows n
            WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.client_id = n.client_id);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION exercises_setlog_client_ids_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE exercises_setlog_client_id;
    RETURN NULL;
END $$;
CREATE TRIGGER setlog_client_ids_insert AFTER INSERT ON exercises_setlog
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION exercises_setlog_client_ids_insert();
CREATE TRIGGER setlog_client_ids_delete AFTER DELETE ON exercises_setlog
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION exercises_setlog_client_ids_delete();
CREATE TRIGGER setlog_client_ids_update AFTER UPDATE ON exercises_setlog
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exercises_setlog_client_ids_update();
CREATE TRIGGER setlog_client_ids_truncate AFTER TRUNCATE ON exercises_setlog
    FOR EACH STATEMENT EXECUTE FUNCTION exercises_setlog_client_ids_truncate();
"""

INDEXES = """
ALTER TABLE exercises_setlog ADD CONSTRAINT exercises_setlog_pkey PRIMARY KEY (id, date);
CREATE INDEX exercises_setlog_client_id_idx ON exercises_setlog (client_id);
CREATE INDEX exercises_s_patient_aa1f17_idx ON exercises_setlog (patient_id, date);
CREATE INDEX exercises_s_program_124f87_idx ON exercises_setlog (program_id, date);
CREATE INDEX exercises_setlog_patient_id_b6096e37 ON exercises_setlog (patient_id);
CREATE INDEX exercises_setlog_program_id_ce04a28c ON exercises_setlog (program_id);
ALTER TABLE exercises_setlog ADD CONSTRAINT exercises_setlog_patient_id_b6096e37_fk_patients_patient_id
    FOREIGN KEY (patient_id) REFERENCES patients_patient (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE exercises_setlog ADD CONSTRAINT exercises_setlog_program_id_ce04a28c_fk_exercises_program_id
    FOREIGN KEY (program_id) REFERENCES exercises_program (id) DEFERRABLE INITIALLY DEFERRED;
"""


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the embedded default) keeps a plain table
    run = _runner(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(date), max(date) FROM exercises_setlog")
        first, last = cursor.fetchone()
    today = dt.date.today()
    first, last = min(first or today, today), max(last or today, today)
    for _ in range(3):  # the months ahead; the daily task keeps SETLOG_PARTITION_MONTHS_AHEAD of them
        last = _next(_month(last))
    run("ALTER TABLE exercises_setlog RENAME TO exercises_setlog_plain")
    run(
        "CREATE TABLE exercises_setlog (LIKE exercises_setlog_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING IDENTITY) PARTITION BY RANGE (date)"
    )
    month = _month(first)
    while month <= last:
        name = f"exercises_setlog_y{month.year:04d}m{month.month:02d}"
        run(f"CREATE TABLE {name} PARTITION OF exercises_setlog FOR VALUES FROM ('{month}') TO ('{_next(month)}')")
        month = _next(month)
    run("CREATE TABLE exercises_setlog_default PARTITION OF exercises_setlog DEFAULT")
    run("INSERT INTO exercises_setlog SELECT * FROM exercises_setlog_plain")
    run("CREATE TABLE exercises_setlog_client_id (client_id uuid PRIMARY KEY)")
    run("INSERT INTO exercises_setlog_client_id (client_id) SELECT client_id FROM exercises_setlog_plain")
    run(
        "SELECT setval(pg_get_serial_sequence('exercises_setlog', 'id'), "
        "coalesce((SELECT max(id) FROM exercises_setlog_plain), 0) + 1, false)"
    )
    run("DROP TABLE exercises_setlog_plain")
    run(f"ALTER SEQUENCE {_sequence(schema_editor)} RENAME TO exercises_setlog_id_seq")
    run(INDEXES)
    run(TRIGGERS)


def _runner(schema_editor):
    def run(sql: str) -> None:  # no parameters: one or several statements, sent as they are
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)

    return run


def _sequence(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('exercises_setlog', 'id')")
        return cursor.fetchone()[0]


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = _runner(schema_editor)
    run("DROP TRIGGER setlog_client_ids_insert ON exercises_setlog")
    run("DROP TRIGGER setlog_client_ids_delete ON exercises_setlog")
    run("DROP TRIGGER setlog_client_ids_update ON exercises_setlog")
    run("DROP TRIGGER setlog_client_ids_truncate ON exercises_setlog")
    for op in ("insert", "delete", "update", "truncate"):
        run(f"DROP FUNCTION exercises_setlog_client_ids_{op}()")
    run("DROP TABLE exercises_setlog_client_id")
    run("ALTER TABLE exercises_setlog RENAME TO exercises_setlog_partitioned")
    run(
        "CREATE TABLE exercises_setlog (LIKE exercises_setlog_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING IDENTITY)"
    )
    run("INSERT INTO exercises_setlog SELECT * FROM exercises_setlog_partitioned")
    run(
        "SELECT setval(pg_get_serial_sequence('exercises_setlog', 'id'), "
        "coalesce((SELECT max(id) FROM exercises_setlog_partitioned), 0) + 1, false)"
    )
    run("DROP TABLE exercises_setlog_partitioned CASCADE")
    run(f"ALTER SEQUENCE {_sequence(schema_editor)} RENAME TO exercises_setlog_id_seq")
    run(
        INDEXES.replace("PRIMARY KEY (id, date)", "PRIMARY KEY (id)").replace(
            "CREATE INDEX exercises_setlog_client_id_idx ON exercises_setlog (client_id);",
            "ALTER TABLE exercises_setlog ADD CONSTRAINT exercises_setlog_client_id_key UNIQUE (client_id);",
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0010_after_week12"),
        ("patients", "0001_initial"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
