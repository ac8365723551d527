"""An index for the dashboards' live list of key supervised items still in handling (a few in a thousand
suggestions): a partial index on suggestions, created here because only the dashboards read it."""

from django.db import migrations

INDEX = "reports_key_supervised_submitted"


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_regionmonthtotal"),
        ("suggestions", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON suggestions_suggestion (submitted_at, id) WHERE key_supervised",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
