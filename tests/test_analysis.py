"""The analysis layer on a small database built fact by fact, so every figure of every mart
is known: recurrence, trends with per-source shares, localities before and after 2025,
novelty, diffusion, the phase calendar, level roles, coverage gaps, drill-down, the CLI
commands, export and the data dictionary."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.canon import Registry
from pipeline.canon.sync import refresh
from pipeline.store import connect, dictionary, marts, reading
from tests.analysis_db import REGISTRY, build
from tests.conftest import run_cli

@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("analysis") / "t.duckdb"
    build(path)
    return path


def _rows(db: Path, sql: str) -> list[tuple]:
    with reading(db) as con:
        return con.execute(sql).fetchall()


def test_recurrence_counts_years_localities_levels(db: Path) -> None:
    rows = {r[0]: r for r in _rows(db, "SELECT movement, n_years, n_localities, levels, first_year, last_year, n_documents FROM mart_movement_recurrence")}
    assert rows["Lao động giỏi, Lao động sáng tạo"][1:] == (2, 3, ["district", "national", "province"], 2020, 2021, 3)
    assert rows["Chợ Mới sạch đẹp"][1:] == (1, 1, ["district"], 2021, 2021, 1)


def test_trends_share_and_per_source_share(db: Path) -> None:
    rows = {(r[0], r[1]): r[2:] for r in _rows(db, "SELECT year, topic, documents, year_documents, share, n_sources, source_share FROM mart_year_topic")}
    # 2021: s1 has q2021 and s2021 (one with productivity), s2 has d2021 (none): mean of 1/2 and 0
    assert rows[(2021, "productivity_innovation")] == (1, 3, 0.333, 2, 0.25)
    # new_rural in 2021: s2's only document has it, s1's two do not: mean of 1 and 0
    assert rows[(2021, "new_rural_poverty")] == (1, 3, 0.333, 2, 0.5)
    assert rows[(2020, "productivity_innovation")] == (2, 2, 1.0, 1, 1.0)


def test_localities_keep_the_province_as_written_and_after_2025(db: Path) -> None:
    rows = _rows(db, "SELECT year, level, province, district, province_2025, documents, movements FROM mart_locality_year WHERE year = 2021 ORDER BY level")
    assert ("2021", "district", "Bắc Kạn", "Chợ Mới", "Thái Nguyên", 1, 2) == tuple(str(rows[0][0]) if i == 0 else v for i, v in enumerate(rows[0]))
    r = run_cli("localities", "--db", str(db), "--by", "province_2025", "--format", "json")
    assert r.returncode == 0, r.stderr
    (row,) = json.loads(r.stdout)
    assert row["locality"] == "Thái Nguyên" and row["total"] == 4 and row["2020"] == 1 and row["2021"] == 3
    r = run_cli("localities", "--db", str(db), "--by", "province", "--format", "json")
    assert {x["locality"]: x["total"] for x in json.loads(r.stdout)} == {"Bắc Kạn": 2, "Thái Nguyên": 2}


def test_novelty_names_the_first_year_and_who_named_it(db: Path) -> None:
    rows = {r[1]: r for r in _rows(db, "SELECT year, movement, documents, first_doc_id, first_issuer FROM mart_movement_novelty")}
    assert rows["Lao động giỏi, Lao động sáng tạo"] == (2020, "Lao động giỏi, Lao động sáng tạo", 2, "n2020", "Tổng Liên đoàn Lao động Việt Nam")
    assert rows["Chợ Mới sạch đẹp"][0] == 2021


def test_diffusion_counts_days_from_the_launch_and_local_variants_echo_their_parent(db: Path, tmp_path: Path) -> None:
    db = Path(shutil.copy(db, tmp_path / "variant.duckdb"))  # the registry accepts the local restatement as a variant
    con = connect(db)
    text = REGISTRY + '\n[[movement]]\ncanonical = "Bắc Kạn chung sức xây dựng nông thôn mới"\nkind = "movement"\nparent = "Cả nước chung sức xây dựng nông thôn mới"\n'
    refresh(con, Registry.from_text(text, Path("r.toml")))
    con.close()
    rows = _rows(db, "SELECT movement, launch_date, launch_basis, locality, first_doc_id, days_after_launch, named_as FROM mart_movement_diffusion ORDER BY movement, locality")
    nt = [r for r in rows if r[0] == "Cả nước chung sức xây dựng nông thôn mới"]
    assert [(r[3], r[4], r[5], r[6]) for r in nt] == [
        ("Bắc Kạn", "p2020", (dt.date(2020, 1, 15) - dt.date(2011, 6, 4)).days, "Bắc Kạn chung sức xây dựng nông thôn mới"),
        ("Thái Nguyên", "q2021", (dt.date(2021, 3, 5) - dt.date(2011, 6, 4)).days, "Cả nước chung sức xây dựng nông thôn mới"),
    ]
    assert nt[0][2] == "registry date"
    ld = [r for r in rows if r[0] == "Lao động giỏi, Lao động sáng tạo"]  # no launch date: the first national plan
    assert {r[2] for r in ld} == {"first national plan"} and {r[3]: r[5] for r in ld} == {"Bắc Kạn": 26, "Chợ Mới, Bắc Kạn": 387}


def test_phase_calendar_patterns(db: Path) -> None:
    rows = _rows(db, "SELECT year, level, phases_in_plan, n, starts, ends, documents FROM mart_phase_calendar ORDER BY ALL")
    assert (2020, "province", 2, 1, "launch", "06-30", 1) in rows and (2021, "district", 1, 1, "--01", "06-30", 1) in rows


def test_level_roles(db: Path) -> None:
    rows = {(r[0], r[1]): r[2] for r in _rows(db, "SELECT movement, level, role FROM mart_level_movements")}
    assert rows[("Lao động giỏi, Lao động sáng tạo", "national")] == "launches"
    assert rows[("Lao động giỏi, Lao động sáng tạo", "province")] == "echoes"
    assert rows[("Chợ Mới sạch đẹp", "district")] == "first to name"


def test_coverage_shows_months_without_documents(db: Path) -> None:
    rows = _rows(db, "SELECT month, documents FROM mart_coverage WHERE source_id = 's1' ORDER BY month")
    assert rows[0] == (dt.date(2019, 12, 1), 1) and (dt.date(2020, 6, 1), 0) in rows and rows[-1] == (dt.date(2021, 3, 1), 2)
    assert len(rows) == 16  # December 2019 to March 2021, every month


def test_drilldown_gives_the_sentence_of_every_cell(db: Path) -> None:
    rows = _rows(db, "SELECT doc_id, url, value, sentence FROM mart_drilldown WHERE fact = 'movement' AND key = 'Chợ Mới sạch đẹp'")
    assert rows == [("d2021", "http://s2.example/d2021.html", "Chợ Mới sạch đẹp", "“Chợ Mới sạch đẹp”.")]
    r = run_cli("show", "d20", "--db", str(db), "--format", "json")
    assert r.returncode == 0, r.stderr
    facts = json.loads(r.stdout)
    assert {f["fact"] for f in facts} == {"movement", "topic", "phase"} and all(f["sentence"] for f in facts)


def test_movement_filters_and_formats(db: Path, tmp_path: Path) -> None:
    r = run_cli("movements", "--db", str(db), "--min-years", "2", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].startswith('"Lao động giỏi, Lao động sáng tạo"') and len(r.stdout.splitlines()) == 2
    r = run_cli("movements", "--db", str(db), "--province-2025", "Thái Nguyên", "--since", "2021", "--format", "json")
    assert {m["movement"] for m in json.loads(r.stdout)} == {"Lao động giỏi, Lao động sáng tạo", "Chợ Mới sạch đẹp", "Cả nước chung sức xây dựng nông thôn mới"}
    r = run_cli("movements", "--db", str(db), "--province", "Thái Nguyên", "--format", "json")  # as written: not Bắc Kạn's plans
    assert {m["movement"] for m in json.loads(r.stdout)} == {"Cả nước chung sức xây dựng nông thôn mới"}
    out = tmp_path / "m.parquet"
    r = run_cli("movements", "--db", str(db), "--level", "district", "--format", "parquet", "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert duckdb.sql(f"SELECT count(*) FROM '{out}'").fetchall() == [(2,)]
    r = run_cli("movements", "--db", str(db), "--format", "parquet")
    assert r.returncode == 1 and "--output" in r.stderr
    r = run_cli("movements", "--db", str(db), "--level", "city")
    assert r.returncode == 1 and "use one of national" in r.stderr
    r = run_cli("trends", "--db", str(db), "--measure", "source_share", "--format", "json")
    assert {t["topic"]: t["2021"] for t in json.loads(r.stdout)}["new_rural_poverty"] == 0.5


def test_export_writes_parquet_by_year_csv_and_dictionary(db: Path, tmp_path: Path) -> None:
    r = run_cli("export", str(tmp_path / "out"), "--db", str(db))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in (out / "parquet" / "mart_year_topic").iterdir()) == ["year=2020", "year=2021"]
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/parquet/mart_drilldown/*/*.parquet', hive_partitioning = true)").fetchall()[0][0] > 0
    assert (out / "csv" / "mart_coverage.csv").read_text(encoding="utf-8").startswith("source_id,month,documents")
    meta = json.loads((out / "data_dictionary.json").read_text(encoding="utf-8"))
    assert {m["mart"] for m in meta} == set(marts())
    assert all(c["description"] for m in meta for c in m["columns"])
    assert "## mart_movement_diffusion" in (out / "data_dictionary.md").read_text(encoding="utf-8")


def test_every_view_and_column_is_described(tmp_path: Path) -> None:
    con = connect(tmp_path / "empty.duckdb")
    docs = dictionary()
    for name, doc in docs.items():
        columns = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
        assert doc.description, f"{name}: no '-- {name}: …' line"
        assert [c for c in columns if c not in doc.columns] == [], f"{name}: columns without '-- @column: …'"
        assert [c for c in doc.columns if c not in columns] == [], f"{name}: described columns it does not have"
    con.close()
