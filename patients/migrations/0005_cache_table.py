from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    """The database cache (the embedded default's shared cache) needs its table; a no-op with Redis."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_visaa_item8_branch")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
