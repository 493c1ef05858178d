"""Sources: built-ins are valid; a user's TOML entry is checked, errors name entry and field."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import builtin_sources, load_sources_file
from crawler.urls import canonical_url
from pipeline.errors import SourceError


def test_builtin_sources_load() -> None:
    src = builtin_sources()["sample"]
    assert src.allowed_domains == ("tintuccongdoan.example",)
    assert src.is_article("http://tintuccongdoan.example/thi-dua/ke-hoach-nam-2021-1100.html")
    assert not src.is_article("http://tintuccongdoan.example/chuyen-muc/thi-dua/trang-2/")


def test_toml_sources(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[sources.ldld-x]\nname = "LĐLĐ X"\nlevel = "province"\nstart_urls = ["https://x.example/"]\n'
                    'article_url = "-\\\\d+\\\\.html$"\n', encoding="utf-8")
    assert load_sources_file(good)["ldld-x"].level == "province"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[sources.a]\nname = "A"\nlevel = "city"\nstart_urls = ["https://a.example/"]\n', "source a: field 'level'"),
        ('[sources.b]\nname = "B"\nlevel = "province"\nstart_urls = ["ftp://b"]\n', "source b: field 'start_urls'"),
        ('[sources.c]\nname = "C"\nlevel = "province"\nstart_urls = ["https://c.example/"]\narticle_url = "(["\n', "source c: field 'article_url'"),
        ('[sources.d]\nlevel = "province"\nstart_urls = ["https://d.example/"]\n', "source d: field 'name'"),
        ('[sources.e]\nname = "E"\nlevel = "province"\nstart_urls = ["https://e.example/"]\ncolour = "red"\n', "source e: unknown field"),
    ],
)
def test_bad_entries_name_entry_and_field(tmp_path: Path, body: str, message: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        load_sources_file(f)


def test_canonical_url_drops_tracking_and_fragments() -> None:
    assert canonical_url("HTTP://Site.example:80/a.html?utm_source=fb&id=2&fbclid=x#top") == "http://site.example/a.html?id=2"
