"""Admin views of opinions data: read-mostly (state changes go through the pages and their services)."""

from django.contrib import admin

from .models import Mediation, Opinion, ReceptionDuty, Visit


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "station", "channel", "category", "state", "created_at"]
    list_filter = ["state", "channel", "category"]
    search_fields = ["code", "title"]
    list_select_related = ["station", "category"]
    readonly_fields = ["state", "query_password_hash", "idempotency_key", "client_hash"]
    raw_id_fields = ["station", "deputy", "drafting_deputy", "visit", "referred_unit", "duplicate_of", "created_by"]


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
