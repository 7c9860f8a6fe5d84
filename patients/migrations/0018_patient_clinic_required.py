import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Every patient has a clinic (0014 gave the existing ones the default clinic)."""

    dependencies = [("patients", "0017_default_clinic_for_existing_rows")]

    operations = [
        migrations.AlterField(
            model_name='patient',
            name='clinic',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='patients', to='patients.clinic'),
        ),
    ]
