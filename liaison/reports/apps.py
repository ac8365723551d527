from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "liaison.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self):
        from liaison.org import views

        from .panels import statistics_panel

        if statistics_panel not in views.HOME_PANELS:
            views.HOME_PANELS.append(statistics_panel)
