from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "liaison.opinions"
    label = "opinions"
    verbose_name = "社情民意"

    def ready(self):
        from liaison.org.views import HOME_PANELS

        from .panels import opinion_panels

        if opinion_panels not in HOME_PANELS:
            HOME_PANELS.append(opinion_panels)
