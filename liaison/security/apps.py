from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "liaison.security"
    label = "security"
    verbose_name = "安全审计"

    def ready(self):
        from . import signals  # noqa: F401  (login log receivers)
