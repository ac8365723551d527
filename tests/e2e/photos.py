"""A phone-like photo for the upload tests and bench/weak_link.py: 4000×3000, about 3 MB of JPEG."""

import io
import random

from PIL import Image


def phone_photo(seed: int = 18, size=(4000, 3000), quality: int = 85) -> bytes:
    rng = random.Random(seed)
    coarse = Image.frombytes("RGB", (size[0] // 10, size[1] // 10), rng.randbytes(size[0] * size[1] * 3 // 100))
    grain = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    image = Image.blend(coarse.resize(size, Image.BICUBIC), grain, 0.08)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
