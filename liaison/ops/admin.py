from django.contrib import admin

from .models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at", "host"]
    readonly_fields = ["name", "beat_at", "host"]

    def has_add_permission(self, request):
        return False
