"""Checks on residents' free text and photos; every refusal is a DomainError with a Chinese message.

Photos are sized from the image header before any pixel is decoded: `Image.open` reads only the header, and
an image over `MAX_PHOTO_PIXELS` (a 6300×6300 PNG of one colour packs 40 million pixels into 38 KB) is refused
there. Pillow's own decompression-bomb guard is set to the same budget for the whole process (it warns above
it and raises above twice it); both its warning and its error become the same Chinese refusal. The public
submission cleans photos only after its throttle (liaison/opinions/services/intake.py).
"""

import io
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from liaison.lib.errors import DomainError
from liaison.lib.months import add_months

MAX_TEXT = 5000
MAX_VISIT_OPINIONS = 10  # opinions logged with one visit (the form's VisitOpinionFormSet offers as many rows)
# Stripped from stored text: zero-width characters and bidirectional overrides/isolates (they can reorder how a
# message reads on screen — "Trojan Source" — or hide text), and the byte-order mark.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 24_000_000  # a 24-megapixel camera (6000×4000); phones take 12
MAX_PHOTO_SIDE = 2000  # re-encoded photos are scaled down to this longest side
ALLOWED_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS
BOMBS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


def clean_text(value, *, label: str, max_length: int = MAX_TEXT, required: bool = True) -> str:
    """Strip, refuse empty / over-long / binary text. Newlines and tabs are fine; other control characters are not."""
    text = INVISIBLE.sub("", (value or "").replace("\r\n", "\n")).strip()
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


# Mainland numbers after normalising: a mobile (1[3-9] + 9 digits), a landline with its area code (0 + 2–3 digits,
# then 7–8), or a local landline without one (7–8 digits, as villagers often give it).
PHONE_PATTERN = re.compile(r"1[3-9][0-9]{9}|0[1-9][0-9]{1,2}[0-9]{7,8}|[2-9][0-9]{6,7}")


# How far back a visit, mediation or report-back may be dated: one deputy term. Older records are history to
# import, not something a deputy logs; a year-0001 typo would otherwise skew every monthly figure.
RECORD_DATE_YEARS_BACK = 5


def clean_past_date(value, *, label: str):
    """A date of something that happened: required, not after today, not before RECORD_DATE_YEARS_BACK years ago."""
    today = timezone.localdate()
    if value is None:
        raise DomainError(f"请填写{label}")
    if value > today:
        raise DomainError(f"{label}不能晚于今天")
    if value < add_months(today, -12 * RECORD_DATE_YEARS_BACK):
        raise DomainError(f"{label}不能早于 {RECORD_DATE_YEARS_BACK} 年前，请核对年份")
    return value


def clean_phone(value) -> str:
    """A phone number as digits only: NFKC first (full-width １３９… from a Chinese keyboard is the same number),
    separators and a +86/0086 prefix dropped, then the mainland pattern; anything else is refused."""
    phone = unicodedata.normalize("NFKC", value or "").strip()
    phone = re.sub(r"[\s\-()（）.]", "", phone)
    phone = re.sub(r"^(\+86|0086)", "", phone)
    if not phone:
        return ""
    if not PHONE_PATTERN.fullmatch(phone):
        raise DomainError("联系电话格式不正确，请填写 11 位手机号或带区号的固定电话")
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
    too_big = f"照片“{name}”尺寸过大，请缩小到 {MAX_PHOTO_PIXELS // 10_000} 万像素以内后再上传"
    try:
        upload.seek(0)
        data = upload.read()
        with Image.open(io.BytesIO(data)) as probe:  # the header only: no pixel decoded yet
            fmt = probe.format
            if fmt not in ALLOWED_FORMATS:
                raise DomainError(f"照片“{name}”不是 JPG 或 PNG 图片")
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise DomainError(too_big)
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            if fmt == "JPEG":
                img.draft(img.mode, (MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))  # decode at a reduced scale where it can
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
    except BOMBS:
        raise DomainError(too_big)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise DomainError(f"文件“{name}”不是有效的图片，只能上传 JPG 或 PNG 照片")
    ext, content_type = ALLOWED_FORMATS[fmt]
    return CleanPhoto(out.getvalue(), ext, content_type, img.width, img.height)


def clean_photos(uploads) -> list[CleanPhoto]:
    """At most MAX_PHOTOS; uploads are cleaned one by one, photos cleaned before are kept as they are."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(f"最多上传 {MAX_PHOTOS} 张照片")
    return [u if isinstance(u, CleanPhoto) else clean_photo(u) for u in uploads]
