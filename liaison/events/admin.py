"""The event log and its anchors in the admin, read-only: the domain's data-change log (等保 2.0 安全审计).
Changes made through the admin itself are Django's LogEntry (liaison/security/admin.py)."""

from django.contrib import admin

from .models import Anchor, Event


class AppendOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Event)
class EventAdmin(AppendOnlyAdmin):
    list_display = ["at", "subject_type", "subject_id", "action", "from_state", "to_state", "actor_label"]
    list_filter = ["subject_type", "action", "at"]
    search_fields = ["subject_id", "actor_label"]


@admin.register(Anchor)
class AnchorAdmin(AppendOnlyAdmin):
    list_display = ["id", "at", "events", "chains", "key_id"]
    date_hierarchy = "at"
