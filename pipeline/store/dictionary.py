"""The data dictionary: what each view and each of its columns means, read from the comment
header of its SQL file (``-- name: description`` then ``-- @column: description``), so the
documentation lives beside the query and a test holds every column to having one."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.store.db import view_files

_VIEW = re.compile(r"^--\s*(?P<name>\w+):\s*(?P<text>.+)$")
_COLUMN = re.compile(r"^--\s*@(?P<name>\w+):\s*(?P<text>.+)$")


@dataclass(frozen=True, slots=True)
class ViewDoc:
    name: str
    description: str
    columns: dict[str, str]


def dictionary() -> dict[str, ViewDoc]:
    """Every view's documentation, in dependency order."""
    out: dict[str, ViewDoc] = {}
    for file_name, sql in view_files():
        name, description, columns = file_name.removesuffix(".sql"), "", {}
        for line in sql.splitlines():
            if not line.startswith("--"):
                continue
            if (m := _VIEW.match(line)) and m.group("name") == name:
                text = m.group("text").strip()
                description = text[:1].upper() + text[1:]
            elif m := _COLUMN.match(line):
                columns[m.group("name")] = m.group("text").strip()
        out[name] = ViewDoc(name, description, columns)
    return out


def marts() -> list[str]:
    """The mart views: what reports, notebooks and exports read."""
    return [name for name in dictionary() if name.startswith("mart_")]
