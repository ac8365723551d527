"""What the suggestion pages share: paging, messages, the way back to the suggestion."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect

from liaison.lib.errors import DomainError

PAGE_SIZE = 50


def page_of(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def fail(request, exc: DomainError):
    messages.error(request, exc.message)


def back_to(suggestion):
    return redirect("suggestions:detail", suggestion.code)
