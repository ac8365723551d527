from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "liaison.suggestions"
    label = "suggestions"
    verbose_name = "代表建议"

    def ready(self):
        from liaison.org.views import HOME_PANELS

        from .panels import panels

        if panels not in HOME_PANELS:
            HOME_PANELS.append(panels)
