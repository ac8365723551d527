"""The keyed hash chain behind the event log: keys, the canonical form of an event, sealing.

Every event row carries its subject's sequence number (1, 2, 3 … per subject), the hash of the previous
event of the same subject, the id of the key it was sealed with, and an HMAC-SHA256 over every stored field.
Without the key, nobody who can write to the database can edit an event and recompute the chain.

Keys live outside the database: `LIAISON_AUDIT_KEYS` = "id:secret[,id:secret…]" (see README, "Configuration").
The first key seals new events and anchors; the others are kept only to verify what they sealed, which is
how a key is rotated (prepend a new one, keep the old ones). Without the variable, one key is derived from
SECRET_KEY (itself outside the database), which is good enough for the demo.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes


def audit_keys() -> list[Key]:
    configured = getattr(settings, "AUDIT_KEYS", "")
    keys = []
    for item in [part.strip() for part in configured.split(",") if part.strip()]:
        key_id, sep, secret = item.partition(":")
        if not sep or not key_id or not secret:
            raise ValueError("LIAISON_AUDIT_KEYS must look like 'id:secret[,id:secret…]'")
        keys.append(Key(key_id[:16], secret.encode()))
    if not keys:
        derived = hmac.new(settings.SECRET_KEY.encode(), b"liaison audit chain", hashlib.sha256).digest()
        keys.append(Key("s0", derived))
    return keys


def signing_key() -> Key:
    return audit_keys()[0]


def key_by_id() -> dict[str, Key]:
    return {key.id: key for key in audit_keys()}


def canonical(row) -> bytes:
    """Every stored field of an event except its own hash and its database id, in a fixed order.

    `row` is an Event or any object with the same attribute names (the demo's bulk rows). Times are hashed in
    UTC so that the value read back from either database hashes the same as the value written.
    """
    at = row.at.astimezone(UTC).isoformat()
    body = [
        row.key_id,
        row.subject_type,
        row.subject_id,
        row.seq,
        row.prev_hash,
        row.action,
        row.from_state,
        row.to_state,
        row.actor_id,
        row.actor_label,
        at,
        row.note,
        row.data or {},
        bool(row.public),
    ]
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def mac(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def seal(row, *, seq: int, prev_hash: str, key: Key | None = None) -> str:
    """Give `row` its place in its subject's chain and its keyed hash; returns the hash."""
    key = key or signing_key()
    row.seq, row.prev_hash, row.key_id = seq, prev_hash, key.id
    row.hash = mac(key.secret, canonical(row))
    return row.hash


def seal_new_chains(rows) -> list[tuple[str, str, int, str]]:
    """Seal bulk rows (the demo's history) in the order given, per subject, continuing any existing chain.

    Returns the new heads as (subject_type, subject_id, seq, hash) for `save_heads`. The caller inserts the
    rows and the heads in one transaction; this is the same sealing `record_event` does, row by row.
    """
    from .models import ChainHead

    key = signing_key()
    subjects = {(r.subject_type, r.subject_id) for r in rows}
    heads: dict[tuple[str, str], tuple[int, str]] = {}
    by_type: dict[str, list[str]] = {}
    for subject_type, subject_id in subjects:
        by_type.setdefault(subject_type, []).append(subject_id)
    for subject_type, ids in by_type.items():
        for start in range(0, len(ids), 5000):
            for h in ChainHead.objects.filter(subject_type=subject_type, subject_id__in=ids[start : start + 5000]):
                heads[(h.subject_type, h.subject_id)] = (h.seq, h.hash)
    for r in rows:
        seq, prev = heads.get((r.subject_type, r.subject_id), (0, ""))
        heads[(r.subject_type, r.subject_id)] = (seq + 1, seal(r, seq=seq + 1, prev_hash=prev, key=key))
    return [(st, sid, seq, h) for (st, sid), (seq, h) in heads.items() if (st, sid) in subjects]


def save_heads(heads) -> None:
    from .models import ChainHead

    by_type: dict[str, list[str]] = {}
    for subject_type, subject_id, _, _ in heads:
        by_type.setdefault(subject_type, []).append(subject_id)
    for subject_type, ids in by_type.items():
        for start in range(0, len(ids), 5000):
            ChainHead.objects.filter(subject_type=subject_type, subject_id__in=ids[start : start + 5000]).delete()
    ChainHead.objects.bulk_create(
        [ChainHead(subject_type=st, subject_id=sid, seq=seq, hash=h) for st, sid, seq, h in heads], batch_size=2000
    )
