"""The configuration stamp that tells every process when its in-memory copy of kinds, priorities, workflows and
SLA policies is out of date (kefu.tickets.config)."""

from django.db import migrations, models


def create_stamp(apps, schema_editor):
    apps.get_model("tickets", "ConfigStamp").objects.get_or_create(key="config", defaults={"value": 1})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_title_trigram_index")]

    operations = [
        migrations.CreateModel(
            name="ConfigStamp",
            fields=[
                ("key", models.SlugField(max_length=32, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "configuration stamp", "verbose_name_plural": "configuration stamps"},
        ),
        migrations.RunPython(create_stamp, migrations.RunPython.noop),
    ]
