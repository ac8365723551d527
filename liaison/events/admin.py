from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["at", "subject_type", "subject_id", "action", "from_state", "to_state", "actor_label"]
    list_filter = ["subject_type", "action"]
    search_fields = ["subject_id"]

    # The event log is append-only.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
