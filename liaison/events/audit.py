"""Proving the event log intact: anchors (signed checkpoints of chain heads) and the full verification.

`verify_audit()` walks every chain in (subject, seq) order and reports, naming the subject and event:
- an edited event (its keyed hash does not match its fields — also after a chain recomputed without the key),
- an event sealed with an unknown key (a forgery, or a key removed from LIAISON_AUDIT_KEYS),
- a gap in the sequence (an event deleted from the middle) or a broken link (a fork or a re-ordered chain),
- a chain whose head record disagrees with its last event (a deleted tail), or a head without events,
- against the anchors: a chain shorter than anchored, an anchored event rewritten, an anchored chain gone,
- a broken anchor signature or a gap in the anchors' own chain.
"""

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import chain
from .models import Anchor, ChainHead, Event

FIELDS = [
    "id",
    "subject_type",
    "subject_id",
    "seq",
    "prev_hash",
    "key_id",
    "hash",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "actor_label",
    "at",
    "note",
    "data",
    "public",
]


@dataclass
class Report:
    events: int = 0
    chains: int = 0
    anchors: int = 0
    anchored_chains: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Row:
    __slots__ = FIELDS

    def __init__(self, values):
        for name, value in zip(FIELDS, values, strict=True):
            setattr(self, name, value)


def _subject(subject_type, subject_id) -> str:
    return f"{subject_type}:{subject_id}"


def _anchor_payload(anchor: Anchor) -> bytes:
    body = [
        anchor.prev_signature,
        anchor.key_id,
        anchor.at.isoformat(),
        anchor.last_event_id,
        anchor.events,
        anchor.chains,
        anchor.heads,
    ]
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def write_anchor() -> Anchor | None:
    """Record the heads of every chain appended to since the last anchor, signed. None when nothing changed."""
    with transaction.atomic():
        # Locking the changed heads keeps their (seq, hash) fixed until the anchor commits; heads changed by
        # appends that commit meanwhile stay marked and go into the next anchor.
        changed = list(
            ChainHead.objects.select_for_update()
            .filter(unanchored=True)
            .values_list("pk", "subject_type", "subject_id", "seq", "hash")
        )
        last = Anchor.objects.order_by("-id").first()
        if not changed and last is not None:
            return None
        key = chain.signing_key()
        anchor = Anchor(
            at=timezone.now(),
            last_event_id=Event.objects.order_by("-id").values_list("id", flat=True).first() or 0,
            events=Event.objects.count(),
            chains=ChainHead.objects.count(),
            heads={_subject(st, sid): [seq, h] for _, st, sid, seq, h in changed},
            prev_signature=last.signature if last else "",
            key_id=key.id,
        )
        anchor.signature = chain.mac(key.secret, _anchor_payload(anchor))
        anchor.save()
        pks = [row[0] for row in changed]
        for start in range(0, len(pks), 5000):
            ChainHead.objects.filter(pk__in=pks[start : start + 5000]).update(unanchored=False)
    return anchor


def export_anchor(anchor: Anchor) -> str:
    """One JSON line describing the anchor, for an append-only store outside this database."""
    return json.dumps(
        {
            "id": anchor.pk,
            "at": anchor.at.isoformat(),
            "events": anchor.events,
            "chains": anchor.chains,
            "heads": len(anchor.heads),
            "key_id": anchor.key_id,
            "signature": anchor.signature,
        },
        ensure_ascii=False,
    )


def _check_anchors(report: Report, keys) -> dict[str, tuple[int, str]]:
    anchored: dict[str, tuple[int, str]] = {}
    prev = ""
    for anchor in Anchor.objects.order_by("id").iterator(chunk_size=50):
        report.anchors += 1
        key = keys.get(anchor.key_id)
        if key is None:
            report.problems.append(f"锚点 #{anchor.pk}：签名密钥 {anchor.key_id!r} 未配置，无法验证")
        elif chain.mac(key.secret, _anchor_payload(anchor)) != anchor.signature:
            report.problems.append(f"锚点 #{anchor.pk}：签名不符（锚点被篡改或伪造）")
        if anchor.prev_signature != prev:
            report.problems.append(f"锚点 #{anchor.pk}：与上一锚点不衔接（锚点被删除或插入）")
        prev = anchor.signature
        for subject, (seq, h) in anchor.heads.items():
            anchored[subject] = (seq, h)
    return anchored


def verify_audit(*, exported_signatures: list[str] | None = None) -> Report:
    """Check every chain, the chain heads and the anchors. Streams events; memory grows with anchored heads."""
    report = Report()
    keys = chain.key_by_id()
    anchored = _check_anchors(report, keys)
    if exported_signatures:
        stored = set(Anchor.objects.values_list("signature", flat=True))
        for signature in exported_signatures:
            if signature not in stored:
                report.problems.append(f"异地保存的锚点 {signature[:12]}… 在数据库中不存在（锚点被删除）")
    heads = {
        _subject(st, sid): (seq, h)
        for st, sid, seq, h in ChainHead.objects.values_list("subject_type", "subject_id", "seq", "hash").iterator()
    }
    seen: set[str] = set()
    current, expected_seq, prev_hash = None, 1, ""

    def close_chain(subject, last_seq, last_hash, hashes):
        head = heads.get(subject)
        if head is None:
            report.problems.append(f"{subject}：缺少链头记录")
        elif head != (last_seq, last_hash):
            report.problems.append(
                f"{subject}：链头为第 {head[0]} 条，实际最后一条为第 {last_seq} 条（末尾事件被删除）"
            )
        if subject in anchored:
            seq, h = anchored[subject]
            if last_seq < seq:
                report.problems.append(f"{subject}：锚点记录 {seq} 条事件，现只有 {last_seq} 条（末尾事件被删除）")
            elif hashes.get(seq) != h:
                report.problems.append(f"{subject}：第 {seq} 条事件与锚点记录不符（事件被改写）")

    rows = Event.objects.order_by("subject_type", "subject_id", "seq").values_list(*FIELDS)
    last_seq, hashes = 0, {}
    for values in rows.iterator(chunk_size=5000):
        row = _Row(values)
        subject = _subject(row.subject_type, row.subject_id)
        if subject != current:
            if current is not None:
                close_chain(current, last_seq, prev_hash, hashes)
            current, expected_seq, prev_hash, hashes = subject, 1, "", {}
            seen.add(subject)
            report.chains += 1
        report.events += 1
        label = f"{subject} 第 {row.seq} 条事件（id {row.id}，{row.action}）"
        if row.seq != expected_seq:
            report.problems.append(f"{label}：序号应为 {expected_seq}（其间事件被删除）")
        if row.prev_hash != prev_hash:
            report.problems.append(f"{label}：与上一条事件不衔接（链分叉或被改动）")
        key = keys.get(row.key_id)
        if key is None:
            report.problems.append(f"{label}：密钥 {row.key_id!r} 未配置（伪造事件，或密钥已被移除）")
        elif chain.mac(key.secret, chain.canonical(row)) != row.hash:
            report.problems.append(f"{label}：内容与签名不符（事件被篡改）")
        if subject in anchored and anchored[subject][0] == row.seq:
            hashes[row.seq] = row.hash
        expected_seq, prev_hash, last_seq = row.seq + 1, row.hash, row.seq
    if current is not None:
        close_chain(current, last_seq, prev_hash, hashes)
    for subject in sorted(set(heads) - seen):
        if heads[subject][0]:
            report.problems.append(f"{subject}：链头记录 {heads[subject][0]} 条事件，但事件全部缺失（整条链被删除）")
    for subject in sorted(set(anchored) - seen - set(heads)):
        report.problems.append(f"{subject}：锚点中有此链，但其事件和链头均已不存在（整条链被删除）")
    report.anchored_chains = len(anchored)
    return report
