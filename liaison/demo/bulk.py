"""Fast writing for the demo's bulk history: seeded codes, multi-row INSERT / COPY, and sealed events.

Events always go through `liaison.events.chain.seal_new_chains` / `save_heads` (the sealing `record_event` does
per row), so a loaded demo passes `manage.py verify_audit`.
"""

import json

from django.db import connection

from liaison.events.chain import save_heads, seal_new_chains
from liaison.events.models import Event
from liaison.lib.codes import ALPHABET


def seeded_code(rng, prefix: str, used: set | None = None, length: int = 8) -> str:
    """A public code drawn from `rng`; with `used`, redrawn until unique (and added to it)."""
    while True:
        code = prefix + "".join(rng.choice(ALPHABET) for _ in range(length))
        if used is None:
            return code
        if code not in used:
            used.add(code)
            return code


def insert(model, rows) -> None:
    """Plain multi-row INSERT … VALUES. The ORM's bulk_create spends most of its time compiling SQL per row,
    which made a year of history take minutes. Rows are namespaces with the fields' attnames; missing
    fields take the field default. Values are adapted the way the backend expects (datetimes, dates, JSON)."""
    if not rows:
        return
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    placeholders = f"({placeholders})"
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES "

    def to_json(value):
        return json.dumps(value, ensure_ascii=False)

    converters = {
        "DateTimeField": ops.adapt_datetimefield_value,
        "DateField": ops.adapt_datefield_value,
        "JSONField": to_json,
    }
    spec = [(f.attname, defaults[f.attname], converters.get(f.get_internal_type())) for f in fields]
    if connection.vendor == "postgresql":
        # COPY: the client-side cursor would re-parse a huge multi-row statement for every batch.
        with connection.cursor() as cursor:
            copy_sql = f"COPY {ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for r in rows:
                    copy.write_row(
                        [
                            convert(value) if convert is not None and value is not None else value
                            for name, default, convert in spec
                            for value in (getattr(r, name, default),)
                        ]
                    )
        return
    # Multi-row VALUES: one statement per few hundred rows instead of one per row.
    per = max(1, min(500, 30_000 // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            params = []
            for r in batch:
                for name, default, convert in spec:
                    value = getattr(r, name, default)
                    params.append(convert(value) if convert is not None and value is not None else value)
            cursor.execute(sql + ", ".join([placeholders] * len(batch)), params)


def insert_events(rows) -> None:
    """Event rows (namespaces) go through the same sealing as record_event (seq, previous hash, keyed hash, head)."""
    heads = seal_new_chains(rows)
    insert(Event, rows)
    save_heads(heads)


def create_events(events: list[Event], batch_size: int = 2000) -> None:
    """Unsaved Event instances, sealed the same way, then bulk-created through the ORM."""
    heads = seal_new_chains(events)
    Event.objects.bulk_create(events, batch_size=batch_size)
    save_heads(heads)
