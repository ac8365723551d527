"""One's own API tokens: the list, making one (its secret shown in that one answer) and revoking one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from liaison.lib.errors import DomainError

from . import services
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=60, help_text="用途，如“村务系统同步”")
    expires_in_days = forms.TypedChoiceField(
        label="有效期",
        choices=[*((d, f"{d} 天") for d in services.EXPIRY_DAYS), ("", "长期有效")],
        coerce=int,
        empty_value=None,
        required=False,
        initial=90,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_personal_token(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            created, form = (token, secret), TokenForm()
    rows = ApiToken.objects.filter(user=request.user, kind=ApiToken.Kind.PERSONAL).order_by("-created_at", "-id")
    response = render(request, "api/tokens.html", {"form": form, "created": created, "rows": rows[:50]})
    response["Cache-Control"] = "no-store"  # the one page that shows a new token's secret
    return response


@login_required
@require_POST
def token_revoke(request, prefix):
    token = ApiToken.objects.filter(user=request.user, kind=ApiToken.Kind.PERSONAL, prefix=prefix).first()
    if token is None:
        raise Http404("令牌不存在")
    try:
        services.revoke_token(token=token, actor=request.user)
        messages.success(request, f"已撤销令牌“{token.name}”，使用它的程序将无法再访问")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("api-tokens")
