"""Compile locale/*/LC_MESSAGES/django.po into .mo files without GNU gettext (which the machine may lack).

Handles the subset of the PO format this project writes: msgid/msgstr pairs with continuation lines.
"""

import ast
import struct
import sys
from pathlib import Path


def parse(po: Path) -> dict[str, str]:
    messages, key, current = {}, None, None
    msgid = msgstr = ""
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if line.startswith("msgid "):
            if key == "msgstr":
                messages[msgid] = msgstr
            key, msgid, msgstr = "msgid", ast.literal_eval(line[6:]), ""
        elif line.startswith("msgstr "):
            key, msgstr = "msgstr", ast.literal_eval(line[7:])
        elif line.startswith('"') and key:
            if key == "msgid":
                msgid += ast.literal_eval(line)
            else:
                msgstr += ast.literal_eval(line)
        elif not line and key == "msgstr":
            messages[msgid] = msgstr
            key = current
    return {k: v for k, v in messages.items() if v or k == ""}


def write_mo(messages: dict[str, str], path: Path) -> None:
    keys = sorted(messages)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(messages[k].encode() + b"\0" for k in keys)
    n = len(keys)
    key_start = 7 * 4 + 16 * n
    value_start = key_start + len(ids)
    offsets, pos_id, pos_str = [], 0, 0
    for k in keys:
        kb, vb = k.encode(), messages[k].encode()
        offsets.append((len(kb), key_start + pos_id, len(vb), value_start + pos_str))
        pos_id += len(kb) + 1
        pos_str += len(vb) + 1
    out = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    out += b"".join(struct.pack("ii", length, off) for length, off, _, _ in offsets)
    out += b"".join(struct.pack("ii", length, off) for _, _, length, off in offsets)
    path.write_bytes(out + ids + strs)


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "locale")
    for po in root.glob("*/LC_MESSAGES/*.po"):
        write_mo(parse(po), po.with_suffix(".mo"))
