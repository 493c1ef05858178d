"""After documents or the registry changed: mentions resolved against the registry as it is
now, the registry table rewritten, the derived tables rebuilt. Needs no text layer, so a
job that extracted in child processes does this in its own, small, process."""
from __future__ import annotations

from pipeline.canon.registry import Registry, unregistered_rows
from pipeline.store import Connection, load, refresh_models
from pipeline.text.normalize import fold

__all__ = ["refresh", "sync_registry"]


def refresh(con: Connection, registry: Registry) -> int:
    """After documents or the registry changed: resolve mentions, rewrite the registry table,
    rebuild the derived tables the marts are. Returns how many mentions moved."""
    moved = sync_registry(con, registry)
    refresh_models(con)
    return moved


def sync_registry(con: Connection, registry: Registry) -> int:
    """Resolve every distinct mention text against the registry as it is now (so names the
    review accepted move to their movement with no reprocessing), then rewrite
    movement_registry: every registered movement, plus one row per unknown name seen.
    Returns how many mentions moved."""
    pairs = con.execute("SELECT DISTINCT text, movement_id FROM movement_mentions").fetchall()
    changes = [(text, old, new) for text, old in pairs if (new := registry.resolve(text).movement_id) != old]
    moved = load.remap_mentions(con, changes)
    con.execute("DELETE FROM movement_registry")
    con.execute("DELETE FROM movement_aliases")
    rows: list[load.RegistryRow] = [
        (m.movement_id, m.canonical, m.kind, m.launched_by, m.launch_year, m.parent_id, True, m.launched_on)
        for m in registry.movements.values()
    ]
    aliases = [(m.movement_id, a, fold(a)) for m in registry.movements.values() for a in (m.canonical, *m.aliases)]
    # distinct (name, surface, kind) with counts: as many rows as names, not as mentions
    mentions = con.execute("SELECT movement_id, text, kind, count(*) FROM movement_mentions GROUP BY ALL").fetchall()
    unknown = [r for r in unregistered_rows(mentions) if r[0] not in registry.movements]
    rows += [(mid, surface, kind, "", None, "", False, None) for mid, surface, kind in unknown]
    seen_aliases = {(mid, t) for mid, t, _, _ in mentions}
    aliases += [(mid, t, fold(t)) for mid, t in sorted(seen_aliases)]
    load.upsert_movements(con, rows, aliases)
    return moved
