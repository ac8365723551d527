"""The audit trail proves itself: each tampering trial is caught by verify_audit, naming what was hit."""

import hashlib
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from liaison.events import chain
from liaison.events.audit import verify_audit, write_anchor
from liaison.events.models import Anchor, ChainHead, Event
from liaison.events.services import record_event

pytestmark = pytest.mark.django_db


def _history(subject_id="S1", n=4):
    return [
        record_event(subject_type="suggestion", subject_id=subject_id, action=f"step{i}", note=f"第{i}步")
        for i in range(1, n + 1)
    ]


def _problems():
    report = verify_audit()
    return report.problems


def test_it_passes_an_untouched_log_and_numbers_each_chain():
    events = _history() + _history("S2", 2)
    assert [e.seq for e in events] == [1, 2, 3, 4, 1, 2]
    assert events[1].prev_hash == events[0].hash and events[4].prev_hash == ""
    report = verify_audit()
    assert report.ok and report.events == 6 and report.chains == 2


@pytest.mark.parametrize(
    "field,value",
    [("note", "改过的说明"), ("to_state", "closed"), ("actor_label", "冒名者"), ("public", True), ("action", "x")],
)
def test_it_names_an_event_edited_in_sql(field, value):
    events = _history()
    Event.objects.filter(pk=events[2].pk).update(**{field: value})
    problems = _problems()
    assert len(problems) == 1
    assert "suggestion:S1 第 3 条事件" in problems[0] and f"id {events[2].pk}" in problems[0]


def test_it_names_an_event_whose_time_was_moved():
    events = _history()
    Event.objects.filter(pk=events[1].pk).update(at=events[1].at.replace(year=2020))
    assert any("第 2 条事件" in p and "篡改" in p for p in _problems())


def test_it_sees_a_deleted_last_event():
    events = _history()
    Event.objects.filter(pk=events[-1].pk).delete()
    assert any("suggestion:S1" in p and "末尾事件被删除" in p for p in _problems())


def test_it_sees_a_deleted_tail_even_with_the_head_rewritten_through_the_anchor():
    events = _history()
    write_anchor()
    Event.objects.filter(pk=events[-1].pk).delete()
    ChainHead.objects.filter(subject_id="S1").update(seq=3, hash=events[2].hash)
    problems = _problems()
    assert problems == ["suggestion:S1：锚点记录 4 条事件，现只有 3 条（末尾事件被删除）"]


def test_it_sees_a_middle_event_deleted():
    events = _history()
    Event.objects.filter(pk=events[1].pk).delete()
    assert any("第 3 条事件" in p and "序号应为 2" in p for p in _problems())


def test_it_sees_a_whole_chain_deleted():
    _history()
    _history("S2", 2)
    Event.objects.filter(subject_id="S1").delete()
    assert any("suggestion:S1" in p and "整条链被删除" in p for p in _problems())


def test_it_sees_a_whole_chain_deleted_with_its_head_after_an_anchor():
    _history()
    write_anchor()
    Event.objects.filter(subject_id="S1").delete()
    ChainHead.objects.filter(subject_id="S1").delete()
    assert _problems() == ["suggestion:S1：锚点中有此链，但其事件和链头均已不存在（整条链被删除）"]


def test_it_sees_an_edit_with_the_chain_recomputed_without_the_key():
    events = _history()
    # The attacker knows the algorithm but not the key: edits, then re-chains with plain SHA-256.
    prev = events[1].hash
    for e in Event.objects.filter(subject_id="S1", seq__gte=3).order_by("seq"):
        e.note = "篡改" if e.seq == 3 else e.note
        e.prev_hash = prev
        e.hash = hashlib.sha256(chain.canonical(e)).hexdigest()
        Event.objects.filter(pk=e.pk).update(note=e.note, prev_hash=e.prev_hash, hash=e.hash)
        prev = e.hash
    ChainHead.objects.filter(subject_id="S1").update(hash=prev)
    problems = _problems()
    assert any("第 3 条事件" in p and "篡改" in p for p in problems)
    assert any("第 4 条事件" in p for p in problems)


def test_it_sees_an_event_forged_through_record_event_with_another_key(settings):
    _history()
    settings.AUDIT_KEYS = "evil:not-the-real-secret"
    forged = record_event(subject_type="suggestion", subject_id="S1", action="closed", note="伪造办结")
    settings.AUDIT_KEYS = ""
    problems = _problems()
    assert len(problems) == 1 and f"id {forged.pk}" in problems[0] and "'evil'" in problems[0]


def test_it_sees_a_forged_event_with_a_real_key_id_but_a_guessed_secret(settings):
    _history()
    real_id = chain.signing_key().id
    settings.AUDIT_KEYS = f"{real_id}:guessed"
    record_event(subject_type="suggestion", subject_id="S1", action="closed")
    settings.AUDIT_KEYS = ""
    assert any("第 5 条事件" in p and "篡改" in p for p in _problems())


def test_it_verifies_old_events_after_a_key_rotation_and_flags_a_dropped_key(settings):
    settings.AUDIT_KEYS = "k1:first-secret"
    _history(n=2)
    settings.AUDIT_KEYS = "k2:second-secret,k1:first-secret"
    new = record_event(subject_type="suggestion", subject_id="S1", action="step3")
    assert new.key_id == "k2"
    assert verify_audit().ok
    settings.AUDIT_KEYS = "k2:second-secret"
    assert any("'k1' 未配置" in p for p in _problems())


def test_it_sees_a_tampered_or_deleted_anchor(tmp_path):
    _history()
    first = write_anchor()
    _history("S2", 1)
    second = write_anchor()
    assert write_anchor() is None  # nothing changed since
    assert verify_audit().ok and verify_audit().anchors == 2
    Anchor.objects.filter(pk=first.pk).update(events=1)
    assert any(f"锚点 #{first.pk}：签名不符" in p for p in _problems())
    Anchor.objects.filter(pk=first.pk).delete()
    assert any(f"锚点 #{second.pk}：与上一锚点不衔接" in p for p in _problems())


def test_it_checks_exported_anchors_against_the_database(tmp_path):
    _history()
    exported = tmp_path / "anchors.jsonl"
    call_command("anchor_audit", export=exported, verbosity=0)
    call_command("verify_audit", anchors_file=exported, verbosity=0)
    signature = json.loads(exported.read_text())["signature"]
    Anchor.objects.all().delete()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", anchors_file=exported, verbosity=0)
    assert failure.value.returncode == 1
    assert signature[:12] in str(verify_audit(exported_signatures=[signature]).problems)


def test_it_exits_non_zero_and_names_the_event(capsys):
    events = _history()
    call_command("verify_audit")
    assert "审计日志完整" in capsys.readouterr().out
    Event.objects.filter(pk=events[0].pk).update(note="改")
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert failure.value.returncode == 1
    assert f"suggestion:S1 第 1 条事件（id {events[0].pk}" in capsys.readouterr().err


def test_it_rejects_a_malformed_key_setting(settings):
    settings.AUDIT_KEYS = "no-colon-here"
    with pytest.raises(ValueError):
        chain.audit_keys()


@pytest.mark.django_db(transaction=True)
def test_it_serialises_concurrent_appends_to_one_subject():
    """Ten writers at once on one subject: one unbroken chain, no two events with the same predecessor."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write transaction; the race is a PostgreSQL one")
    record_event(subject_type="suggestion", subject_id="RACE", action="created")
    barrier = threading.Barrier(10)
    errors = []

    def write(i):
        try:
            barrier.wait()
            record_event(subject_type="suggestion", subject_id="RACE", action="note", note=f"督办意见{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    events = list(Event.objects.filter(subject_id="RACE").order_by("seq"))
    assert [e.seq for e in events] == list(range(1, 12))
    assert len({e.prev_hash for e in events}) == 11
    assert verify_audit().ok


def test_it_refuses_an_anchors_file_that_is_not_anchor_audit_output(tmp_path):
    _history()
    bad = tmp_path / "anchors.jsonl"
    bad.write_text("this is not json\n")
    with pytest.raises(CommandError, match="锚点文件格式不正确"):
        call_command("verify_audit", anchors_file=bad, verbosity=0)
