"""Admin views of opinions data: read-mostly (state changes go through the pages and their services)."""

from django.contrib import admin

from .models import Mediation, Opinion, ReceptionDuty, ResidentMessage, Visit


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "station", "channel", "category", "state", "created_at"]
    list_filter = ["state", "channel", "category"]
    search_fields = ["code", "title"]
    list_select_related = ["station", "category"]
    # Residents' contacts are not shown here in full: administrators see them masked, like everyone on the list
    # pages; who needs them asks on the opinion's page, which logs the request (docs/SECURITY.md).
    exclude = ["resident_name", "resident_phone"]
    readonly_fields = ["resident", "state", "query_password_hash", "idempotency_key", "client_hash", "purged_at"]
    raw_id_fields = ["station", "deputy", "drafting_deputy", "visit", "referred_unit", "duplicate_of", "created_by"]

    @admin.display(description="群众（脱敏）")
    def resident(self, obj):
        return f"{obj.masked_name or '匿名'} {obj.masked_phone}".strip()


@admin.register(ResidentMessage)
class ResidentMessageAdmin(admin.ModelAdmin):
    """The residents' SMS texts, one per step (the defaults and which step sends which: services/telling.py)."""

    list_display = ["step", "text", "updated_at"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["step", "updated_at"] if obj else ["updated_at"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["code", "deputy", "station", "kind", "date"]
    list_filter = ["kind"]
    raw_id_fields = ["deputy", "station", "created_by"]


@admin.register(Mediation)
class MediationAdmin(admin.ModelAdmin):
    list_display = ["code", "subject", "deputy", "date", "result"]
    raw_id_fields = ["deputy", "station", "created_by"]


@admin.register(ReceptionDuty)
class ReceptionDutyAdmin(admin.ModelAdmin):
    list_display = ["date", "station", "deputy"]
    raw_id_fields = ["station", "deputy", "created_by"]
