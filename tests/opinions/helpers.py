"""Small builders shared by the opinion and meeting tests."""

import hashlib
import io

from PIL import Image

from liaison.opinions import services
from liaison.opinions.models import Opinion


def make_opinion(cast, *, title="路灯不亮", content="村口到小学的三盏路灯坏了一个月，晚上孩子放学看不清路。", **kw):
    defaults = {
        "station": cast.station,
        "channel": Opinion.Channel.PHONE,
        "actor": cast.officer,
        "category": cast.categories["城乡建设"],
        "resident_name": "陈桂花",
        "resident_phone": "13800001111",
    }
    defaults.update(kw)
    opinion, password = services.register_opinion(title=title, content=content, **defaults)
    return opinion, password


def jpeg_bytes(size=(40, 30), color=(200, 30, 30), fmt="JPEG", exif=True) -> bytes:
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif and fmt == "JPEG":
        ex = Image.Exif()
        ex[0x010F] = "SecretCamera"  # Make
        img.save(out, fmt, exif=ex.tobytes())
    else:
        img.save(out, fmt)
    return out.getvalue()


def form_key(seed: str) -> str:
    """An idempotency key as a client draws one (32 hex characters), reproducible from `seed`."""
    return hashlib.sha256(seed.encode()).hexdigest()[:32]
