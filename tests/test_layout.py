"""House rules that a grep can check: one module owns each heavy dependency."""
from __future__ import annotations

import re

from tests.conftest import REPO

OWNERS = {
    "duckdb": ("pipeline/store/",),
    "underthesea": ("pipeline/text/vn.py",),
    "scrapy": ("crawler/",),
}


def test_each_heavy_dependency_is_imported_in_one_place() -> None:
    for path in sorted([*REPO.glob("pipeline/**/*.py"), *REPO.glob("crawler/**/*.py")]):
        rel = path.relative_to(REPO).as_posix()
        source = path.read_text(encoding="utf-8")
        for module, owners in OWNERS.items():
            if re.search(rf"^\s*(?:import|from)\s+{module}\b", source, re.M):
                assert rel.startswith(owners), f"{rel} imports {module}; only {owners} may"
