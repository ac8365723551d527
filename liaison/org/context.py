from .selectors import scope_of


def roles(request):
    user = getattr(request, "user", None)
    return {"scope": scope_of(user) if user is not None else None}
