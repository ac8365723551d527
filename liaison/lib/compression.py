"""Compressed HTML, JSON and CSV answers; files (photos, xlsx, docx) go out as they are, already compressed.

Static files never reach this middleware: whitenoise answers them first, with its gzip and Brotli copies.
BREACH: the CSRF token in a page is masked afresh for each response, so its length leaks nothing.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
