"""The suggestion list's search on the same bigram index as the ledger's (liaison/lib/search.py); the PostgreSQL
functions come with opinions 0008."""

from django.db import migrations

from liaison.lib import search

TABLE = "suggestions_suggestion"


def forwards(apps, schema_editor):
    search.install(schema_editor, TABLE)


def backwards(apps, schema_editor):
    search.uninstall(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0008_search_bigrams"),
        ("suggestions", "0004_assignment_list_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
