from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "liaison.opinions"
    label = "opinions"
    verbose_name = "社情民意"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from liaison.lib import search
        from liaison.org.views import HOME_PANELS

        # The SQLite search triggers call a Python function (liaison/lib/search.py): every connection needs it.
        connection_created.connect(search.register_sqlite_functions, dispatch_uid="liaison-search-functions")
        post_migrate.connect(search.repair_sqlite_triggers, sender=self, dispatch_uid="liaison-search-triggers")

        from .panels import opinion_panels

        if opinion_panels not in HOME_PANELS:
            HOME_PANELS.append(opinion_panels)
