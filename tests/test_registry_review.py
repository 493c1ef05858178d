"""Grouping of names the registry does not know, and the review that accepts proposals into
the registry file and moves the mentions without reprocessing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.canon import Registry
from pipeline.canon.grouping import Name, propose, registry_entries
from pipeline.errors import ConfigError
from pipeline.store import reading
from tests.analysis_db import REGISTRY, build
from tests.conftest import run_cli

BASE = Registry.from_text(REGISTRY + """
[[movement]]
canonical = "Xanh, sạch, đẹp, bảo đảm an toàn vệ sinh lao động"
kind = "movement"

[[movement]]
canonical = "Doanh nghiệp Việt Nam hội nhập và phát triển"
kind = "movement"

[[movement]]
canonical = "Doanh nghiệp Thủ đô hội nhập và phát triển"
kind = "movement"
parent = "Doanh nghiệp Việt Nam hội nhập và phát triển"
""", Path("base.toml"))  # fmt: skip


def _name(text: str, mentions: int = 1) -> Name:
    from pipeline.canon import movement_id

    return Name(movement_id(text), text, "movement", mentions, False)


def _by_name(names: list[str]) -> dict[str, tuple[str, str]]:
    return {p.names[0]: (p.action, p.target) for p in propose([_name(n) for n in names], BASE)}


def test_local_restatements_shortened_forms_and_spelling() -> None:
    got = _by_name([
        "Cao Bằng chung sức xây dựng nông thôn mới",  # a province's restatement
        "Thi đua chung sức xây dựng nông thôn mới trên địa bàn huyện",  # a longer local name containing it
        "Lao động sáng tạo",  # shortened
        "Xanh sạch đẹp, bảo đảm ATVSLĐ",  # an abbreviation spelled out
        "Xanh, sạch, đẹp, bảo đảm an toàn vệ sinh lao độnng",  # a typo of one letter
    ])  # fmt: skip
    assert got["Cao Bằng chung sức xây dựng nông thôn mới"] == ("variant", "Cả nước chung sức xây dựng nông thôn mới")
    assert got["Thi đua chung sức xây dựng nông thôn mới trên địa bàn huyện"] == ("variant", "Cả nước chung sức xây dựng nông thôn mới")
    assert got["Lao động sáng tạo"] == ("variant", "Lao động giỏi, Lao động sáng tạo")
    assert got["Xanh sạch đẹp, bảo đảm ATVSLĐ"] == ("alias", "Xanh, sạch, đẹp, bảo đảm an toàn vệ sinh lao động")
    assert got["Xanh, sạch, đẹp, bảo đảm an toàn vệ sinh lao độnng"] == ("alias", "Xanh, sạch, đẹp, bảo đảm an toàn vệ sinh lao động")


def test_unknown_names_close_to_each_other_form_a_group_under_the_most_used() -> None:
    props = propose([_name("Mỗi công đoàn cơ sở một việc làm thiết thực", 1), _name("Mỗi CĐCS một việc làm thiết thực", 3),
                     _name("Nghĩa tình mùa lũ", 2)], BASE)  # fmt: skip
    (group,) = props
    assert group.action == "group" and group.target == "Mỗi CĐCS một việc làm thiết thực"
    assert group.names == ("Mỗi CĐCS một việc làm thiết thực", "Mỗi công đoàn cơ sở một việc làm thiết thực")


def test_registered_movements_are_never_merged() -> None:
    seen = [Name(m.movement_id, m.canonical, m.kind, 5, True) for m in BASE.movements.values()]
    assert propose(seen, BASE) == []  # "Doanh nghiệp Thủ đô …" stays its own movement
    text = REGISTRY + '\n[[alias]]\nof = "Lao động giỏi, Lao động sáng tạo"\nnames = ["Cả nước chung sức xây dựng nông thôn mới"]\n'
    with pytest.raises(ConfigError, match="registered movement of its own"):
        Registry.from_text(text, Path("bad.toml"))
    with pytest.raises(ConfigError, match="'of' must be the canonical name"):
        Registry.from_text(REGISTRY + '\n[[alias]]\nof = "Không có"\nnames = ["x"]\n', Path("bad.toml"))


def test_accepted_entries_load_back() -> None:
    props = propose([_name("Cao Bằng chung sức xây dựng nông thôn mới"), _name("Xanh sạch đẹp, bảo đảm ATVSLĐ")], BASE)
    reg = Registry.from_text(REGISTRY + """
[[movement]]
canonical = "Xanh, sạch, đẹp, bảo đảm an toàn vệ sinh lao động"
kind = "movement"
""" + registry_entries(props, BASE), Path("r.toml"))  # fmt: skip
    assert reg.resolve("Xanh sạch đẹp, bảo đảm ATVSLĐ").canonical == "Xanh, sạch, đẹp, bảo đảm an toàn vệ sinh lao động"
    local = reg.resolve("Cao Bằng chung sức xây dựng nông thôn mới")
    assert local.registered and reg.movements[local.movement_id].parent_id == reg.resolve("Cả nước chung sức xây dựng nông thôn mới").movement_id


def test_review_lists_then_accepts_into_the_registry_and_moves_mentions(tmp_path: Path) -> None:
    db, registry = tmp_path / "r.duckdb", tmp_path / "movements.toml"
    registry.write_text(REGISTRY, encoding="utf-8")
    build(db)
    env = {"THIDUA_REGISTRY": str(registry)}
    r = run_cli("movements", "review", "--db", str(db), "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    audit = {(a["movement"], a["surface"]): a for a in out["aliases"]}
    # the audit is of the registry: every document's mentions count, the page the relevance model turned down too
    assert audit[("Lao động giỏi, Lao động sáng tạo", "Lao động giỏi, Lao động sáng tạo")]["mentions"] == 4
    assert audit[("Lao động giỏi, Lao động sáng tạo", "Lao động giỏi, Lao động sáng tạo")]["first_year"] == 2020
    (prop,) = [p for p in out["proposals"] if p["names"] == "Bắc Kạn chung sức xây dựng nông thôn mới"]
    assert prop["action"] == "variant" and prop["target"] == "Cả nước chung sức xây dựng nông thôn mới"
    r = run_cli("movements", "review", "--db", str(db), "--accept", str(prop["n"]), env=env)
    assert r.returncode == 0, r.stderr
    assert 'canonical = "Bắc Kạn chung sức xây dựng nông thôn mới"' in registry.read_text(encoding="utf-8")
    with reading(db) as con:
        assert con.execute(
            "SELECT registered, parent FROM stg_movement_mentions WHERE text = 'Bắc Kạn chung sức xây dựng nông thôn mới'"
        ).fetchall() == [(True, "Cả nước chung sức xây dựng nông thôn mới")]
    r = run_cli("movements", "review", "--db", str(db), "--accept", "99", env=env)
    assert r.returncode == 1 and "no proposal 99" in r.stderr
