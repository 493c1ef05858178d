"""The movement registry: canonical names, facts, aliases; resolution of surface forms.

Resolution is by folded key (case, tone marks, accents, punctuation ignored). A name the
registry does not know keeps its own key as id and is marked unregistered; grouping of
those (similarity, local restatements) is the registry review's job
(``pipeline.canon.grouping``), whose accepted proposals are appended to the file as
``[[movement]]`` entries and ``[[alias]]`` tables (``of`` = a canonical name, ``names``).
"""
from __future__ import annotations

import datetime as dt
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
    launched_on: dt.date | None = None


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
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ConfigError(f"no movement registry at {path}") from exc
        return cls.from_text(text, path)

    @classmethod
    def from_text(cls, text: str, path: Path) -> Registry:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
        out: dict[str, Movement] = {}
        for i, entry in enumerate(data.get("movement", []), 1):
            canonical = entry.get("canonical", "")
            kind = entry.get("kind", "movement")
            if not canonical or kind not in KINDS:
                raise ConfigError(f"{path}: movement #{i} needs a canonical name and kind in {KINDS}")
            launched_on = entry.get("launched_on")
            if launched_on is not None and not isinstance(launched_on, dt.date):
                raise ConfigError(f"{path}: movement #{i} ({canonical}): launched_on must be a date (2016-05-03)")
            parent = entry.get("parent", "")
            m = Movement(
                movement_id(canonical), canonical, kind, entry.get("launched_by", ""),
                entry.get("launch_year") or None, movement_id(parent) if parent else "",
                tuple(entry.get("aliases", [])), launched_on,
            )  # fmt: skip
            if m.movement_id in out:
                raise ConfigError(f"{path}: movement #{i} ({canonical}) is already in the registry")
            out[m.movement_id] = m
        for i, entry in enumerate(data.get("alias", []), 1):
            target = movement_id(entry.get("of", ""))
            if target not in out:
                raise ConfigError(f"{path}: alias #{i}: 'of' must be the canonical name of a movement above, not {entry.get('of')!r}")
            names = tuple(entry.get("names", []))
            clash = [n for n in names if movement_id(n) in out and movement_id(n) != target]
            if clash:  # never merge two registered movements
                raise ConfigError(f"{path}: alias #{i}: {clash[0]!r} is a registered movement of its own")
            m = out[target]
            out[target] = Movement(m.movement_id, m.canonical, m.kind, m.launched_by, m.launch_year, m.parent_id, (*m.aliases, *names), m.launched_on)
        return cls(out.values())

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
