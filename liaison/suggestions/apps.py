from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "liaison.suggestions"
    label = "suggestions"
    verbose_name = "代表建议"
