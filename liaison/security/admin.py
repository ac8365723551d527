"""The security logs in the admin, read-only: the login log, the personal-data access log and Django's own log of
admin changes (LogEntry). Domain writes are in the event log (liaison/events/admin.py)."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from .models import LoginRecord, PersonalDataAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are written by the code only: nobody adds, edits or deletes a row here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginRecord)
class LoginRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "username", "address", "user_agent"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"
    list_select_related = ["user"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "subject_type", "subject_code", "fields", "reason", "address"]
    list_filter = ["subject_type", "at"]
    search_fields = ["actor_label", "subject_code", "reason", "address"]
    date_hierarchy = "at"


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    """管理后台操作日志: every add, change and delete made through the admin (Django writes these itself)."""

    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag", "change_message"]
    list_filter = ["action_flag", "content_type", "action_time"]
    search_fields = ["object_repr", "user__username"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]
