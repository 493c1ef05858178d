"""The bundled sample site is what the builder makes of data/sample_src, and meets the brief."""
from __future__ import annotations

import filecmp
import subprocess
import sys
import unicodedata
from pathlib import Path

from tests.conftest import REPO

SITE = REPO / "data" / "sample_site"


def test_committed_site_is_up_to_date(tmp_path: Path) -> None:
    out, gold = tmp_path / "site", tmp_path / "gold.jsonl"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_sample_site.py"), "--out", str(out), "--gold", str(gold)],
                   check=True, capture_output=True)
    cmp = filecmp.dircmp(out, SITE)
    stack, diffs = [cmp], []
    while stack:
        c = stack.pop()
        diffs += c.left_only + c.right_only + c.diff_files
        stack += c.subdirs.values()
    assert not diffs, f"run `make site` and commit: {diffs[:5]}"
    assert gold.read_bytes() == (REPO / "data" / "gold" / "sample_site.jsonl").read_bytes()


def test_site_meets_the_brief(sample_gold: list[dict]) -> None:
    plans = [g for g in sample_gold if g["relevant"]]
    assert len(plans) >= 40
    assert len({g["year"] for g in plans}) >= 8
    assert len({g["issuer"] for g in plans}) >= 12
    assert {g["level"] for g in plans} == {"national", "province", "district", "sector", "grassroots"}
    assert any(g["province"] and g["province"] != g["province_2025"] for g in plans), "merged provinces"
    assert len(sample_gold) - len(plans) >= 20
    assert any(g["published"][5:7] == "12" and int(g["published"][:4]) + 1 == g["year"] for g in plans)
    pages = {p.relative_to(SITE).as_posix() for p in SITE.rglob("*") if p.is_file()}
    assert {"robots.txt", "sitemap.xml", "rss.xml", "index.html"} <= pages
    assert any("/trang-2/" in p for p in pages), "paginated listings"
    assert "Disallow: /tim-kiem/" in (SITE / "robots.txt").read_text()
    assert "<lastmod>" in (SITE / "sitemap-articles.xml").read_text()
    articles = [SITE / p for p in pages if p.endswith(".html") and not p.startswith(("chuyen-muc", "tim-kiem", "index"))]
    texts = [a.read_text(encoding="utf-8") for a in articles]
    assert sum(1 for t in texts if t != unicodedata.normalize("NFC", t)) >= 1, "one page in NFD"
    assert all("Tổng lượt truy cập" in unicodedata.normalize("NFC", t) and "Tin liên quan" in unicodedata.normalize("NFC", t) for t in texts)
    joined = unicodedata.normalize("NFC", "\n".join(texts))
    assert "hoá" in joined and "hóa" in joined and "\u00d0" in joined and "<br>" in joined
