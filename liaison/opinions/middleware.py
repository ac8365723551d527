"""Refuse an oversized upload to the resident pages from its declared length, before any of the body is read.

The QR page (/s/<station>/) takes at most MAX_PHOTOS photos of MAX_PHOTO_BYTES each plus the text; a request
that declares more (Content-Length) gets a 413 with a Chinese page at once, instead of after minutes of upload
on a weak link. (WSGI may not send a Connection header; the server discards whatever of the body still comes.
In production nginx buffers the body and refuses more than its own client_max_body_size.)
"""

from django.conf import settings
from django.shortcuts import render

from .validation import MAX_PHOTO_BYTES, MAX_PHOTOS

PREFIXES = ("/s/",)
DEFAULT_LIMIT = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024  # the photos plus a generous megabyte of form text


def upload_limit() -> int:
    return int(getattr(settings, "PUBLIC_UPLOAD_MAX_BYTES", DEFAULT_LIMIT))


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:  # the server refuses a malformed length itself
        return 0


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path.startswith(PREFIXES):
            limit = upload_limit()
            if declared_length(request) > limit:
                return render(
                    request,
                    "opinions/upload_too_large.html",
                    {"limit_mb": limit // (1024 * 1024), "photo_mb": MAX_PHOTO_BYTES // (1024 * 1024)},
                    status=413,
                )
        return self.get_response(request)
