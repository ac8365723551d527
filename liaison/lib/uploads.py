"""Attachments (suggestions' and answers'): what may be stored, under which name, and how it is served.

- **Allow-list by content**, never by the name or the browser's content type: PDF, Word (.docx), Excel (.xlsx),
  JPG and PNG as the `filetype` package reads the first bytes. .docx and .xlsx are zip containers and
  `filetype` only peeks at the first entries' names, so the zip's directory is read (nothing is decompressed):
  a .docx needs `[Content_Types].xml` and `word/document.xml`, a .xlsx `xl/workbook.xml`; macros
  (`vbaProject.bin`) are refused. An .html renamed .pdf, an .exe, a plain zip: refused.
- **Size**: at most `MAX_ATTACHMENT_BYTES` (10 MB), checked before anything is read.
- **Storage name**: a random token plus the detected extension (`suggestions/2025/03/3f9c….pdf`); the uploader's
  file name is dropped (downloads are named after the item, e.g. `建议附件-S1234567.pdf`).
- **Serving**: only through the scoped views (`liaison/suggestions/views/files.py`): `access_suggestion()`
  first (out of scope → 404), then the file with `Content-Disposition: attachment`, the type of the detected
  extension and `X-Content-Type-Options: nosniff`. Django never serves MEDIA_ROOT (liaison/urls.py has no
  `static()` / `serve` route and whitenoise serves static files only), so `/media/…` answers 404 in every
  setting; the reverse proxy in front of gunicorn must not map `/media/` onto MEDIA_ROOT either (README,
  "Deploying"). Photos of opinions are served the same way (scoped views in liaison/opinions/views).

`clean_attachment()` is called by the services (the one door for pages, API and commands); forms may call it
too for an early field error.
"""

import secrets
import zipfile

import filetype
from django.http import FileResponse, Http404

from liaison.lib.errors import DomainError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
ALLOWED_LABEL = "PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG"
_ZIP_KINDS = {"zip", "docx", "xlsx"}
_HEAD = 8192  # what filetype reads


def clean_attachment(upload):
    """The upload, renamed to a random token + its detected extension; DomainError (Chinese) when refused."""
    name = getattr(upload, "name", None) or "附件"
    size = getattr(upload, "size", None)
    if size is None:
        raise DomainError(f"附件“{name}”无法读取，请重新选择文件", field="attachment")
    if size > MAX_ATTACHMENT_BYTES:
        raise DomainError(
            f"附件“{name}”超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB，请压缩或拆分后再上传", field="attachment"
        )
    if size == 0:
        raise DomainError(f"附件“{name}”是空文件", field="attachment")
    ext = detect_kind(upload)
    if ext not in ALLOWED:
        raise DomainError(f"附件“{name}”的格式不支持，只能上传 {ALLOWED_LABEL} 文件", field="attachment")
    upload.seek(0)
    upload.name = f"{secrets.token_hex(16)}.{ext}"
    return upload


def detect_kind(upload) -> str | None:
    """The extension the content says (pdf, docx, xlsx, jpg, png, or another of filetype's), None if unknown."""
    upload.seek(0)
    head = upload.read(_HEAD)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None:
        return None
    if kind.extension in _ZIP_KINDS:
        return _office_kind(upload)
    return kind.extension


def _office_kind(upload) -> str | None:
    """docx / xlsx from the zip's directory (names only, nothing decompressed); None for any other zip."""
    try:
        with zipfile.ZipFile(getattr(upload, "file", upload)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def attachment_response(field_file, filename_stem: str) -> FileResponse:
    """A stored attachment as a download: never rendered by the browser, whatever it holds."""
    ext = field_file.name.rsplit(".", 1)[-1].lower() if "." in field_file.name else ""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename_stem}.{ext}" if ext in ALLOWED else filename_stem,
        content_type=ALLOWED.get(ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
