"""Checks on residents' free text and photos; every refusal is a DomainError with a Chinese message."""

import io
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from liaison.lib.errors import DomainError

MAX_TEXT = 5000
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MAX_PHOTO_SIDE = 2000  # re-encoded photos are scaled down to this longest side
ALLOWED_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}


def clean_text(value, *, label: str, max_length: int = MAX_TEXT, required: bool = True) -> str:
    """Strip, refuse empty / over-long / binary text. Newlines and tabs are fine; other control characters are not."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise DomainError(f"请填写{label}", field=None)
        return ""
    if len(text) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 个字（当前 {len(text)} 个字）")
    for ch in text:
        if ch in "\n\t":
            continue
        # Cc: control characters; Cs/Co/Cn: surrogates, private use, unassigned; U+FFFD: undecodable bytes.
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            raise DomainError(f"{label}含有无法识别的字符（可能是乱码或二进制内容），请重新输入文字")
    return text


def clean_phone(value) -> str:
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if not phone:
        return ""
    if not phone.isdigit() or not 7 <= len(phone) <= 12:
        raise DomainError("联系电话格式不正确，请填写手机号或固定电话（数字）")
    return phone


@dataclass
class CleanPhoto:
    content: bytes
    ext: str
    content_type: str
    width: int
    height: int


def clean_photo(upload) -> CleanPhoto:
    """Open with Pillow, accept only JPEG/PNG, and re-encode: the stored file holds pixels only, no metadata."""
    name = getattr(upload, "name", "照片")
    if upload.size > MAX_PHOTO_BYTES:
        raise DomainError(f"照片“{name}”超过 5 MB，请压缩后再上传")
    try:
        upload.seek(0)
        data = upload.read()
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in ALLOWED_FORMATS:
                raise DomainError(f"照片“{name}”不是 JPG 或 PNG 图片")
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise DomainError(f"照片“{name}”尺寸过大")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            img.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
            out = io.BytesIO()
            if fmt == "JPEG":
                img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            else:
                mode = "RGBA" if img.mode in ("RGBA", "LA", "P") else "RGB"
                img.convert(mode).save(out, "PNG", optimize=True)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DomainError(f"文件“{name}”不是有效的图片，只能上传 JPG 或 PNG 照片")
    ext, content_type = ALLOWED_FORMATS[fmt]
    return CleanPhoto(out.getvalue(), ext, content_type, img.width, img.height)


def clean_photos(uploads) -> list[CleanPhoto]:
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(f"最多上传 {MAX_PHOTOS} 张照片")
    return [clean_photo(u) for u in uploads]
