"""``Import.prepared``: what the import needs of an export, worked out by the uploader that checked
it (``uploads/prepared.py``). Existing rows get NULL: an upload waiting for its import then reads
and parses its body as before, so nothing needs filling."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("uploads", "0002_import_window_sessions")]

    operations = [
        migrations.AddField(
            model_name="import",
            name="prepared",
            field=models.BinaryField(
                editable=False, null=True, verbose_name="voorbereid bij ontvangst"
            ),
        ),
    ]
