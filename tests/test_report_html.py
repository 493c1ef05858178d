"""`thidua report --html DIR`: one self-contained page. Without a browser: nothing is fetched
from elsewhere, every name is escaped (in the tables, in attributes, in the embedded JSON),
an empty database gives a page too. In headless Chromium (Debian's, driven by playwright):
no console or page error, the charts and tables show, the search filters the movements as
you type (accents optional), a click shows a movement's sentences, and no request leaves
the machine."""
from __future__ import annotations

import json
import os
import re
import struct
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests import analysis_db
from tests.conftest import run_cli

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TABLES = ("movements-table", "novelty-table", "diffusion-table", "levels-table", "phases-table", "coverage-table")
EVIL_MOVEMENT = '</script><x-evil onclick="alert(1)">Đổi mới & "sáng tạo"</x-evil>'
EVIL_ISSUER = "Công đoàn <x-evil>A&B</x-evil> '1'"


@pytest.fixture(scope="module")
def demo_report(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "html"
    r = run_cli("report", "--db", str(demo_db), "--html", str(out))
    assert r.returncode == 0, r.stderr[-2000:]
    page = out / "index.html"
    assert str(page) in r.stdout
    return page


class _Page(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in_script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "script":
            self._in_script = a
            self.scripts.append((a, ""))

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _drill(page: _Page) -> dict[str, Any]:
    (text,) = [t for a, t in page.scripts if a.get("type") == "application/json" and a.get("id") == "drill-data"]
    return json.loads(text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^\w]+", " ", "".join(c for c in text if not unicodedata.combining(c)).lower()).strip()


def test_report_is_one_self_contained_file(demo_report: Path) -> None:
    assert sorted(p.name for p in demo_report.parent.iterdir()) == ["index.html"]
    text = demo_report.read_text(encoding="utf-8")
    page = _parse(text)
    assert '<meta charset="utf-8">' in text and "Lao động giỏi, Lao động sáng tạo" in text
    for tag, attrs in page.tags:
        if tag == "a":
            continue  # links to the articles are the page's data
        assert "src" not in attrs or attrs["src"].startswith("data:"), f"<{tag} src={attrs['src']!r}>"
        for name in ("href", "xlink:href", "data", "srcset", "poster"):
            value = attrs.get(name, "")
            assert not re.match(r"\s*(https?:)?//", value, re.IGNORECASE), f"<{tag} {name}={value!r}> fetches from elsewhere"
        assert tag not in ("link", "iframe", "object", "embed", "base"), f"<{tag}> in the page"
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//|@import", text, re.IGNORECASE), "CSS that fetches"
    assert len([a for a, _ in page.scripts if a.get("type") == "application/json"]) == 1
    assert all("src" not in a for a, _ in page.scripts)
    assert sum(tag == "svg" for tag, _ in page.tags) >= 3  # heatmap, trends, localities
    # the drill-down data is capped and every sentence points at a document with its page
    drill = _drill(page)
    top = drill["movements"]["Lao động giỏi, Lao động sáng tạo"]
    assert 0 < len(top["rows"]) <= 30 and top["total"] >= len(top["rows"])
    assert all(drill["docs"][doc][3].startswith("http://tintuccongdoan.example/") for doc, _, _ in top["rows"])
    assert all("Lao động giỏi" in sentence for _, sentence, _ in top["rows"])


def test_report_command_keeps_its_tables_and_documents_html(demo_db: Path) -> None:
    r = run_cli("report", "--db", str(demo_db))
    assert r.returncode == 0 and "Movement recurrence" in r.stdout and "index.html" not in r.stdout
    r = run_cli("report", "--help")
    assert r.returncode == 0 and "--html" in r.stdout and "self-contained" in r.stdout


def test_report_data_is_what_the_analysis_layer_says(demo_db: Path) -> None:
    """The report reads each mart once, so it builds the heatmap, the locality matrix and
    the first sentences itself: they must equal the analysis functions and a plain query."""
    from pipeline.reports import analysis
    from pipeline.reports import html_data as data
    from pipeline.store import reading

    with reading(demo_db) as con:
        moves = data.movements(con, 500)
        named = data.named(con, list(moves.rows["movement"]), 30)
        heat, ref = data.heatmap(named, moves.rows, 25), analysis.movement_years(con, 25)
        assert heat.astype(str).values.tolist() == ref.astype(str).values.tolist()
        assert data.locality_matrix(data.localities(con)).equals(analysis.localities(con, by="province_2025"))
        rows = con.execute(
            "WITH s AS (SELECT key, doc_id, sentence_idx, any_value(year) AS y, any_value(published) AS p, min(span_start) AS f"
            " FROM mart_drilldown WHERE fact = 'movement' GROUP BY ALL)"
            " SELECT key, doc_id, sentence_idx, count(*) OVER (PARTITION BY key) FROM s"
            " QUALIFY row_number() OVER (PARTITION BY key ORDER BY y NULLS LAST, p NULLS LAST, doc_id, f) <= 30"
            " ORDER BY key, y NULLS LAST, p NULLS LAST, doc_id, f"
        ).fetchall()
    expected: dict[str, list[tuple[str, int]]] = {}
    for key, doc_id, idx, total in rows:
        expected.setdefault(key, []).append((doc_id, idx))
        assert named.totals[key] == total
    assert named.firsts == expected and moves.total == len(expected)


def test_names_are_escaped_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.reports.html import write_report
    from pipeline.store import reading

    evil: tuple[Any, ...] = ("e2021", "s1", "2021-05-01", 2021, "province", EVIL_ISSUER, "Thái Nguyên", None, "Thái Nguyên",
            [EVIL_MOVEMENT, "Lao động giỏi, Lao động sáng tạo"], [], [])  # fmt: skip
    monkeypatch.setattr(analysis_db, "DOCS", [*analysis_db.DOCS, evil])
    db = tmp_path / "evil.duckdb"
    analysis_db.build(db)
    with reading(db) as con:
        text = write_report(con, tmp_path / "out").read_text(encoding="utf-8")
    page = _parse(text)
    assert not [t for t, _ in page.tags if t == "x-evil"], "a name became markup"
    assert len(page.scripts) == 2, "a name opened or closed a <script>"
    assert "&lt;/script&gt;&lt;x-evil onclick=&quot;alert(1)&quot;&gt;Đổi mới &amp; &quot;sáng tạo&quot;" in text
    assert "&lt;x-evil&gt;A&amp;B&lt;/x-evil&gt; &#x27;1&#x27;" in text  # the issuer, in the novelty table
    keys = [a["data-key"] for t, a in page.tags if t == "tr" and "data-key" in a]
    assert EVIL_MOVEMENT in keys  # an attribute gives the name back unchanged
    drill = _drill(page)
    assert drill["movements"][EVIL_MOVEMENT]["rows"][0][2] == [EVIL_MOVEMENT]
    assert any(d[1] == EVIL_ISSUER for d in drill["docs"])
    json_text = next(t for a, t in page.scripts if a.get("id") == "drill-data")
    assert "<" not in json_text and ">" not in json_text and "&" not in json_text


def test_an_empty_database_gives_a_page(tmp_path: Path) -> None:
    from pipeline.reports.html import write_report
    from pipeline.store import connect, reading

    connect(tmp_path / "empty.duckdb").close()
    with reading(tmp_path / "empty.duckdb") as con:
        text = write_report(con, tmp_path / "out").read_text(encoding="utf-8")
    assert "No data yet." in text and "Nothing in the database yet." in text
    assert _drill(_parse(text)) == {"docs": [], "movements": {}}


def _playwright() -> Any:
    """playwright's sync API, when Debian's Chromium is there to drive; otherwise skip, or
    fail when THIDUA_REQUIRE_BROWSER=1 (CI sets it once it has installed the browser)."""
    reason = ""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (Debian's chromium package; .ci/run installs it)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            reason = "the playwright package is not installed (make install puts it in .venv)"
    if reason:
        if os.environ.get("THIDUA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"THIDUA_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(f"browser test skipped: {reason}")
    return sync_playwright


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.mark.slow
def test_report_in_a_browser(demo_report: Path, tmp_path: Path) -> None:
    sync_playwright = _playwright()
    outside: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        try:
            ctx.route("**/*", guard)
            page = ctx.new_page()
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:", "about:")) else outside.append(r.url))
            page.goto(demo_report.as_uri())
            page.wait_for_load_state("load")
            assert "thidua report" in page.title()

            # charts and tables show, Vietnamese text as written
            heatmap = page.locator("#heatmap-chart svg")
            assert heatmap.is_visible()
            box = heatmap.bounding_box()
            assert box and box["width"] > 400 and box["height"] > 300
            assert page.locator("#trends-chart svg").is_visible() and page.locator("#locality-chart svg").is_visible()
            for table_id in TABLES:
                assert page.locator(f"#{table_id}").is_visible(), table_id
                assert page.locator(f"#{table_id} tbody tr").count() > 0, table_id
            assert "Lao động giỏi, Lao động sáng tạo" in page.inner_text("#movements-table")

            # screenshots: the whole page, and the heatmap is drawn (many colours, not blank)
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            data = shot.read_bytes()
            width, height = _png_size(data)
            assert width >= 1200 and height > 3000 and len(data) > 100_000
            heat_png = tmp_path / "heatmap.png"
            heatmap.screenshot(path=str(heat_png))
            _assert_drawn(heat_png)

            # search as you type, accents optional
            rows = page.locator("#movements-table tbody tr.mv")
            total = rows.count()
            page.fill("#movement-search", "lao dong")
            shown = page.locator("#movements-table tbody tr.mv:visible")
            names = [shown.nth(i).get_attribute("data-search") or "" for i in range(shown.count())]
            assert 0 < len(names) < total
            assert all("lao dong" in _fold(n) for n in names)
            assert any(n.startswith("Lao động giỏi, Lao động sáng tạo") for n in names)
            assert f"{len(names)} of {total}" in page.inner_text("#movements-table-count")
            page.fill("#movement-search", "xyzzy no such movement")
            assert shown.count() == 0 and page.locator("#movements-table-none").is_visible()
            page.fill("#movement-search", "")
            assert shown.count() == total

            # a click shows the sentences that name the movement, each with its document
            row = page.locator("#movements-table tr.mv", has_text="Lao động giỏi, Lao động sáng tạo").first
            row.click()
            drill = page.locator("#movements-table tr.drill")
            assert drill.is_visible() and row.get_attribute("aria-expanded") == "true"
            said = int(re.search(r"(\d+) sentences? names? it", drill.inner_text()).group(1))  # type: ignore[union-attr]
            items = drill.locator("li")
            assert items.count() == min(said, 30)
            if said > 30:
                assert "the first 30" in drill.inner_text()
            first = items.first
            assert "Lao động giỏi" in first.locator("mark").first.inner_text()
            href = first.locator("a").first.get_attribute("href") or ""
            assert href.startswith("http://tintuccongdoan.example/")
            assert re.search(r"· (national|province|district|sector|grassroots) · \d{4}", first.locator(".meta").inner_text())
            row.click()
            assert drill.count() == 0

            # columns sort
            page.click("#movements-table thead th:has-text('mentions')")
            page.click("#movements-table thead th:has-text('mentions')")
            counts = [int(c.replace(",", "")) for c in page.locator("#movements-table tbody tr.mv td:nth-child(10)").all_inner_texts()]
            assert counts == sorted(counts, reverse=True)
        finally:
            ctx.close()
    assert not console_errors, console_errors
    assert not page_errors, page_errors
    assert not outside, f"requests that left the machine: {outside}"


def _assert_drawn(path: Path) -> None:
    from PIL import Image  # matplotlib depends on Pillow, so .venv has it

    with Image.open(path) as im:
        rgb = im.convert("RGB")
        colours: list[Any] = rgb.getcolors(maxcolors=1 << 24) or []
        pixels = rgb.width * rgb.height
        white = sum(n for n, c in colours if min(c) >= 250)
    assert rgb.width > 400 and rgb.height > 300
    assert len(colours) > 50, f"only {len(colours)} colours: the heatmap looks blank"
    assert white / pixels < 0.7, "the heatmap is mostly white"
