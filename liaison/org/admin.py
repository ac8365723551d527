from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Body, Category, Deputy, HandlingUnit, Mandate, Membership, Region, Station, Stationing, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["region", "station", "unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("联络站", {"fields": ("display_name", "phone", "must_change_password")}),)
    list_display = ["username", "display_name", "is_active", "is_superuser", "must_change_password", "last_login"]
    list_filter = [*BaseUserAdmin.list_filter, "must_change_password"]
    search_fields = ["username", "display_name"]
    inlines = [MembershipInline]

    # An account an administrator creates, or whose password an administrator sets, starts with a password
    # someone else knows: its user must change it at the next sign-in (liaison.security.middleware).
    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        target = self.get_object(request, unquote(id))
        before = target.password if target else None
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and target is not None and target.pk != request.user.pk:
            # Only when the password did change: a refused form leaves the hash, and the flag, as they were.
            User.objects.filter(pk=target.pk).exclude(password=before).update(must_change_password=True)
        return response


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "population"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "sort", "is_active"]
    search_fields = ["name"]


class StationingInline(admin.TabularInline):
    model = Stationing
    extra = 0
    autocomplete_fields = ["deputy", "station"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "reception_day", "head_name", "is_active"]
    search_fields = ["code", "name", "region__name"]
    list_filter = ["is_active", "reception_day"]
    autocomplete_fields = ["region", "villages"]
    list_select_related = ["region"]
    inlines = [StationingInline]


class MandateInline(admin.TabularInline):
    model = Mandate
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "gender", "home_region", "expertise", "is_active"]
    search_fields = ["code", "name", "expertise"]
    list_filter = ["mandates__level", "is_active"]
    autocomplete_fields = ["home_region", "user"]
    list_select_related = ["home_region"]
    inlines = [MandateInline, StationingInline]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "assign_working_days", "answer_months", "max_total_months"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["categories"]
    list_select_related = ["region"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "station", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name"]
    autocomplete_fields = ["user", "region", "station", "unit"]
