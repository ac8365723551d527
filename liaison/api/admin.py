"""Integration keys are made here (and only here); personal tokens are listed so an administrator can revoke one.
A new key's secret is shown on the page that answers its creation, once."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils import timezone

from liaison.lib.errors import DomainError

from . import services
from .models import ApiToken, IntegrationKey


class IntegrationKeyForm(forms.ModelForm):
    endpoints = forms.MultipleChoiceField(
        label="可调用的接口", choices=list(services.ENDPOINTS.items()), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = IntegrationKey
        fields = ["name", "region", "endpoints", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].required = True
        self.fields["region"].help_text = "密钥以该地区人大工作人员的权限访问（只能看到、办理该地区的事项）"

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError("有效期须晚于现在")
        return value


@admin.action(description="撤销所选令牌或密钥")
def revoke(modeladmin, request, queryset):
    done = 0
    for token in queryset.filter(revoked_at__isnull=True):
        try:
            services.revoke_token(token=token, actor=request.user)
            done += 1
        except DomainError as exc:
            messages.error(request, f"{token}: {exc.message}")
    messages.success(request, f"已撤销 {done} 个")


class TokenAdminBase(admin.ModelAdmin):
    list_select_related = ["user", "region"]
    search_fields = ["name", "prefix", "user__username"]
    list_filter = ["revoked_at", "expires_at"]
    actions = [revoke]

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row says who could call until when

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in self.model._meta.fields if f.name != "id"]


@admin.register(IntegrationKey)
class IntegrationKeyAdmin(TokenAdminBase):
    form = IntegrationKeyForm
    list_display = ["name", "prefix", "region", "endpoints", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
            kwargs["fields"] = []
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        key, secret = services.create_integration_key(
            name=data["name"],
            region=data["region"],
            endpoints=data["endpoints"],
            expires_at=data.get("expires_at"),
            actor=request.user,
        )
        obj.pk = key.pk
        request._liaison_new_key = (key, secret)

    def save_related(self, request, form, formsets, change):
        pass  # the service made everything

    def response_add(self, request, obj, post_url_continue=None):
        key, secret = request._liaison_new_key
        context = {**self.admin_site.each_context(request), "key": key, "secret": secret, "opts": self.model._meta}
        response = render(request, "admin/api/integrationkey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(ApiToken)
class PersonalTokenAdmin(TokenAdminBase):
    list_display = ["name", "prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=ApiToken.Kind.PERSONAL)

    def has_add_permission(self, request):
        return False  # made by their owners, on /accounts/tokens/
