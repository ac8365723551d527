from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "liaison.insight"
    label = "insight"
    verbose_name = "文本智能"
