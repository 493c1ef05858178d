"""Extractors: provenance holds for every record of every document; small behaviours."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipeline.extract import TopicRules, extract_all
from pipeline.extract.quotes import extract_quotes
from pipeline.models import Extraction
from pipeline.text import make_doc
from pipeline.text.html import extract_main
from pipeline.text.normalize import fold, normalize_text
from tests.conftest import REPO

RULES = TopicRules.from_file(REPO / "data" / "registry" / "topics.toml")
SITE = REPO / "data" / "sample_site"


def _records(ex: Extraction) -> list:
    return [*ex.quotes, *ex.themes, *ex.movements, *ex.phases, *ex.anniversaries, *ex.legal_refs, *ex.topics, *ex.meta]


def _check(text: str, name: str) -> int:
    doc = make_doc(name, text)
    ex = extract_all(doc, RULES)
    for r in _records(ex):
        assert doc.text[r.start : r.end] == r.surface, (name, r)
        assert r.extractor.count(".v") == 1
        assert r.sentence == doc.sentence_of(r.start)
    return len(_records(ex))


def test_provenance_on_every_sample_page(sample_gold: list[dict]) -> None:
    total = 0
    for g in sample_gold:
        path = SITE / g["url"].split("/", 3)[3]
        main = extract_main(path.read_text(encoding="utf-8"), g["url"])
        total += _check(main.text, g["id"])
    assert total > 1000


def test_provenance_on_the_seeds(shared_dir: Path) -> None:
    for path in sorted((shared_dir / "seeds").glob("*.txt")):
        assert _check(normalize_text(path.read_text(encoding="utf-8")), path.stem) > 10


def _roles(text: str) -> list[tuple[str, str]]:
    doc = make_doc("t", normalize_text(text))
    return [(q.role, q.surface) for q in extract_quotes(doc)]


def test_quotes_mixed_unclosed_and_lists() -> None:
    roles = _roles('Đẩy mạnh phong trào “Lao động giỏi, Lao động sáng tạo"; “Giỏi việc nước, đảm việc nhà” và ‘Tham mưu giỏi, phục vụ tốt”.')
    assert roles == [("movement", "Lao động giỏi, Lao động sáng tạo"), ("movement", "Giỏi việc nước, đảm việc nhà"),
                     ("movement", "Tham mưu giỏi, phục vụ tốt")]
    roles = _roles("Tham gia phong trào “Xanh - Sạch - Đẹp, Bảo đảm an toàn vệ sinh lao động; tổ chức tốt Tháng Công nhân.")
    assert roles == [("movement", "Xanh - Sạch - Đẹp, Bảo đảm an toàn vệ sinh lao động")]


def test_quote_roles_from_context() -> None:
    roles = dict((s, r) for r, s in _roles(
        "Năm 2021 với chủ đề “Tận dụng cơ hội, vượt mọi khó khăn”, gắn với chủ đề hoạt động năm “Nâng cao chất lượng cán bộ”; "
        "theo phương châm “Tất cả vì đoàn viên”, với tinh thần “Chủ động, sáng tạo” và Cuộc vận động “Nói không với tiêu cực”; Hội thi “Bàn tay vàng”."
    ))
    assert roles == {"Tận dụng cơ hội, vượt mọi khó khăn": "campaign_theme", "Nâng cao chất lượng cán bộ": "year_theme",
                     "Tất cả vì đoàn viên": "motto", "Chủ động, sáng tạo": "spirit",
                     "Nói không với tiêu cực": "campaign", "Bàn tay vàng": "contest"}


def test_nested_quote() -> None:
    doc = make_doc("t", normalize_text("Ông nói: “Đợt 1 chúng tôi thi đua với chủ đề “Mừng Đảng – Mừng Xuân” để lập thành tích”."))
    quotes = extract_quotes(doc)
    inner = [q for q in quotes if q.depth == 1]
    assert [q.surface for q in inner] == ["Mừng Đảng – Mừng Xuân"] and inner[0].role == "phase_theme"


def test_hard_wraps_rejoined_and_keys_fold() -> None:
    assert normalize_text("thi đua lao động\ngiỏi, lao động sáng tạo.\n- Đợt 1: từ") == "thi đua lao động giỏi, lao động sáng tạo.\n- Đợt 1: từ"
    assert normalize_text(unicodedata.normalize("NFD", "Ðổi mới")) == "Đổi mới"
    assert fold("Đối mới, sáng tạo") == fold("Đổi mới - Sáng tạo") == "doi moi sang tao"
    assert fold("văn hoá") == fold("văn hóa")


def test_phases_and_metadata() -> None:
    text = normalize_text(
        "LĐLĐ tỉnh Bắc Kạn phát động thi đua năm 2024\n\n"
        "Liên đoàn Lao động tỉnh Bắc Kạn ban hành Kế hoạch số 33/KH-LĐLĐ phát động phong trào thi đua năm 2024.\n\n"
        "- Đợt 1 (từ khi phát động đến 31/7/2024).\n- Đợt 2: từ 01/8 đến 31/12/2024.\n\n"
        "Chào mừng kỷ niệm 95 năm Ngày thành lập Công đoàn Việt Nam (28/7/2929 – 28/7/2024); thực hiện Chỉ thị số 34- CT/TW."
    )
    ex = extract_all(make_doc("t", text), RULES)
    meta = {m.name: m.value for m in ex.meta}
    assert meta["issuer"] == "Liên đoàn Lao động tỉnh Bắc Kạn" and meta["level"] == "province"
    assert meta["province_2025"] == "Thái Nguyên" and meta["year"] == "2024" and meta["doc_number"] == "33/KH-LĐLĐ"
    assert [(p.n, p.start_date, p.end_date) for p in ex.phases] == [(1, "launch", "2024-07-31"), (2, "2024-08-01", "2024-12-31")]
    assert [(a.years, a.from_date, a.to_date) for a in ex.anniversaries] == [(95, "1929-07-28", "2024-07-28")]
    assert {r.ref for r in ex.legal_refs} == {"33/KH-LĐLĐ", "34-CT/TW"}


def test_registry_canonicalises_typos(tmp_path: Path) -> None:
    from pipeline.canon import Registry

    reg = Registry.from_file(REPO / "data" / "registry" / "movements.toml")
    assert reg.resolve("Đối mới, sáng tạo, hiệu quả trong hoạt động của tổ chức Công đoàn").registered
    assert reg.resolve("Xanh - Sạch - Đẹp, Bảo đảm an toàn vệ sinh lao động").canonical.startswith("Xanh, sạch, đẹp")
    unknown = reg.resolve("Bắc Kạn chung sức xây dựng nông thôn mới")
    assert not unknown.registered and unknown.canonical == "Bắc Kạn chung sức xây dựng nông thôn mới"


@pytest.mark.parametrize("gold_field", ["movements"])
def test_sample_gold_movement_recall_floor(sample_gold: list[dict], gold_field: str) -> None:
    """A first, coarse measure (issue 4 brings the real evaluation): most gold movements are found."""
    found = expected = 0
    for g in sample_gold:
        path = SITE / g["url"].split("/", 3)[3]
        main = extract_main(path.read_text(encoding="utf-8"), g["url"])
        ex = extract_all(make_doc(g["id"], main.text), RULES)
        got = {fold(m.surface) for m in ex.movements}
        want = {fold(m["text"]) for m in g[gold_field]}
        expected += len(want)
        found += len(want & got)
    assert expected > 200 and found / expected >= 0.6, (found, expected)


def _meta(text: str) -> dict[str, str]:
    return {m.name: m.value for m in extract_all(make_doc("m", normalize_text(text)), RULES).meta}


def test_issuer_from_the_official_header_not_the_body_it_cites() -> None:
    meta = _meta(
        "Kế hoạch thi đua năm 2021\n\nLIÊN ĐOÀN LAO ĐỘNG TỈNH VĨNH PHÚC\nLIÊN ĐOÀN LAO ĐỘNG HUYỆN TAM DƯƠNG\nSố: 11/KH-LĐLĐ\n\n"
        "Thực hiện Kế hoạch số 40/KH-LĐLĐ của Liên đoàn Lao động tỉnh Vĩnh Phúc về phát động thi đua năm 2021, "
        "Ban Thường vụ LĐLĐ huyện xây dựng kế hoạch phát động thi đua trong CNVCLĐ huyện Tam Dương năm 2021."
    )
    assert (meta["issuer"], meta["level"], meta["district"], meta["province"]) == (
        "Liên đoàn Lao động huyện Tam Dương", "district", "Tam Dương", "Vĩnh Phúc")  # fmt: skip


def test_bare_local_federation_takes_the_place_the_document_names() -> None:
    meta = _meta(
        "Phát động thi đua trong CNVCLĐ thị xã Phú Thọ năm 2022\n\n"
        "Ngày 10/01, Ban Thường vụ LĐLĐ thị xã ban hành kế hoạch phát động thi đua năm 2022 tới các công đoàn cơ sở của thị xã Phú Thọ."
    )
    assert (meta["issuer"], meta["level"], meta["district"]) == ("Liên đoàn Lao động thị xã Phú Thọ", "district", "Phú Thọ")


def test_a_city_that_is_not_centrally_run_is_a_district() -> None:
    meta = _meta("LĐLĐ thành phố Vĩnh Yên phát động thi đua năm 2020\n\nLĐLĐ thành phố Vĩnh Yên vừa ban hành kế hoạch thi đua năm 2020.")
    assert (meta["level"], meta["district"], meta["province"]) == ("district", "Vĩnh Yên", "Vĩnh Phúc")
    meta = _meta("LĐLĐ thành phố Cần Thơ phát động thi đua năm 2020\n\nLĐLĐ thành phố Cần Thơ vừa ban hành kế hoạch thi đua năm 2020.")
    assert (meta["level"], meta["province"]) == ("province", "Cần Thơ")


def test_union_names_keep_their_syllables_and_stop_at_a_verb_or_a_person() -> None:
    meta = _meta(
        "Công đoàn Tổng công ty phát động thi đua năm 2023\n\n"
        "Chủ tịch Công đoàn Tổng Công ty Than Quảng Ninh Lê Văn Hùng vừa ký ban hành kế hoạch phát động thi đua năm 2023."
    )
    assert (meta["issuer"], meta["level"]) == ("Công đoàn Tổng Công ty Than Quảng Ninh", "sector")
    meta = _meta("Kế hoạch thi đua năm 2019 của Công đoàn ngành Giáo dục Hà Nam gắn với các ngày lễ lớn.\n\nNội dung thi đua năm 2019.")
    assert meta["issuer"] == "Công đoàn ngành Giáo dục tỉnh Hà Nam"


def test_giai_doan_phases_and_month_bounds() -> None:
    ex = extract_all(make_doc("p", normalize_text(
        "Thi đua năm 2022.\n\nGiai đoạn 1 (từ tháng 01/2022 đến hết tháng 6/2022). Giai đoạn 2 (từ 01/7 đến 31/12/2022)."
    )), RULES)  # fmt: skip
    assert [(p.n, p.start_date, p.end_date) for p in ex.phases] == [(1, "2022-01", "2022-06"), (2, "2022-07-01", "2022-12-31")]


def test_more_date_forms() -> None:
    from pipeline.extract.dates import parse_range

    def bounds(s: str) -> tuple[str, str] | None:
        r = parse_range(s, 2024)
        return (r[0].value, r[1].value) if r else None

    assert bounds("từ nay đến ngày 30/4/2024") == ("launch", "2024-04-30")
    assert bounds("từ 01/7 đến hết năm 2024") == ("2024-07-01", "2024-12-31")
    assert bounds("từ tháng 3 đến tháng 8-2023") == ("2023-03", "2023-08")  # the first month takes the second's year
    assert bounds("hiện nay đến 30/4") is None


def test_the_documents_own_number_on_its_header_line_is_not_a_citation() -> None:
    from pipeline.extract.references import extract_legal_refs

    doc = make_doc("r", normalize_text(
        "LIÊN ĐOÀN LAO ĐỘNG TỈNH YÊN BÁI\nSố: 17/KH-LĐLĐ\n\nThực hiện Kế hoạch số 90/KH-TLĐ và Chỉ thị số 39-CT/TW, "
        "Ban Thường vụ ban hành Kế hoạch số 17/KH-LĐLĐ."
    ))  # fmt: skip
    assert [r.ref for r in extract_legal_refs(doc)] == ["90/KH-TLĐ", "39-CT/TW", "17/KH-LĐLĐ"]  # cited in the body: counts
    doc = make_doc("r", normalize_text("LIÊN ĐOÀN LAO ĐỘNG TỈNH YÊN BÁI\nSố: 17/KH-LĐLĐ\n\nThực hiện Chỉ thị số 39-CT/TW."))
    assert [r.ref for r in extract_legal_refs(doc)] == ["39-CT/TW"]
