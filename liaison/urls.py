from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from liaison.api import views as api_views
from liaison.api.api import api
from liaison.ops import views as ops_views
from liaison.org import views as org_views
from liaison.security import views as security_views

admin.site.site_header = "联络站民意闭环平台 · 管理后台"
admin.site.site_title = "联络站民意闭环平台"
admin.site.index_title = "系统配置"

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", security_views.password_change, name="password-change"),
    path("accounts/tokens/", api_views.tokens, name="api-tokens"),
    path("accounts/tokens/<str:prefix>/revoke/", api_views.token_revoke, name="api-token-revoke"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("liaison.open311.urls")),
    path("org/", include("liaison.org.urls")),
    path("notifications/", include("liaison.notify.urls")),
    path("", include("liaison.opinions.urls")),
    path("", include("liaison.meetings.urls")),
    path("", include("liaison.suggestions.urls")),
    path("", include("liaison.reports.urls")),
    path("", include("liaison.insight.urls")),
    path("", include("liaison.exports.urls")),
]

# 403 and 404 in the site's layout with the refusal's reason (500: templates/500.html, Django's own handler).
handler403 = org_views.permission_denied
handler404 = org_views.page_not_found
