"""Chinese search on an index (liaison/lib/search.py): the bigram functions and the GIN expression index on
PostgreSQL, the FTS5 table and its triggers on SQLite; filled from the rows already there."""

from django.db import migrations

from liaison.lib import search

TABLE = "opinions_opinion"


def forwards(apps, schema_editor):
    search.install(schema_editor, TABLE)


def backwards(apps, schema_editor):
    search.uninstall(schema_editor, TABLE, functions=True)


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0007_resident_sms_texts"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
