"""The movement registry: canonical names, facts, aliases; resolution of surface forms.

Resolution is by folded key (case, tone marks, accents, punctuation ignored). A name the
registry does not know keeps its own key as id and is marked unregistered; grouping of
those (similarity, local restatements) is the registry review's job.
"""
from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.text.normalize import fold

KINDS = ("movement", "campaign")


def movement_id(name: str) -> str:
    return fold(name).replace(" ", "-")


@dataclass(frozen=True, slots=True)
class Movement:
    movement_id: str
    canonical: str
    kind: str
    launched_by: str = ""
    launch_year: int | None = None
    parent_id: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    movement_id: str
    canonical: str
    registered: bool


class Registry:
    def __init__(self, movements: Iterable[Movement]) -> None:
        self.movements = {m.movement_id: m for m in movements}
        self._by_key: dict[str, str] = {}
        for m in self.movements.values():
            for name in (m.canonical, *m.aliases):
                self._by_key[fold(name)] = m.movement_id

    @classmethod
    def from_file(cls, path: Path) -> Registry:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"no movement registry at {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
        out = []
        for i, entry in enumerate(data.get("movement", []), 1):
            canonical = entry.get("canonical", "")
            kind = entry.get("kind", "movement")
            if not canonical or kind not in KINDS:
                raise ConfigError(f"{path}: movement #{i} needs a canonical name and kind in {KINDS}")
            parent = entry.get("parent", "")
            out.append(Movement(
                movement_id(canonical), canonical, kind, entry.get("launched_by", ""),
                entry.get("launch_year") or None, movement_id(parent) if parent else "",
                tuple(entry.get("aliases", [])),
            ))  # fmt: skip
        return cls(out)

    def resolve(self, surface: str) -> Resolution:
        key = fold(surface)
        mid = self._by_key.get(key)
        if mid is not None:
            return Resolution(mid, self.movements[mid].canonical, True)
        return Resolution(key.replace(" ", "-"), surface.strip(), False)


def unregistered_rows(mentions: Iterable[tuple[str, str, str, int]]) -> list[tuple[str, str, str]]:
    """(movement_id, surface, kind, count) of names → one (id, canonical, kind) each: the
    most frequent surface, ties broken alphabetically, so reruns agree."""
    by_id: dict[str, Counter[tuple[str, str]]] = {}
    for mid, surface, kind, n in mentions:
        by_id.setdefault(mid, Counter())[(surface.strip(), kind)] += n
    out = []
    for mid, counts in sorted(by_id.items()):
        (surface, kind), _ = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append((mid, surface, kind))
    return out
