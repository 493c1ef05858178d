"""Each source, tested on pages recorded in its site's style (written by the project):
the article page gives the expected document (golden JSON), the listing page the links."""
from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.sources import builtin_sources
from crawler.spiders.generic import GenericSpider
from pipeline.text.html import decode, extract_main
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "sources"
SOURCES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _document(folder: Path) -> tuple[dict, dict]:
    rec = tomllib.loads((folder / "recorded.toml").read_text(encoding="utf-8"))
    source = builtin_sources()[folder.name]
    sel = source.selectors_for(dt.date.fromisoformat(rec["expected"]["published"]))
    main = extract_main(decode((folder / "article.html").read_bytes()), rec["url"], sel)
    doc = {"title": main.title, "sapo": main.sapo, "author": main.author,
           "published": main.published.isoformat() if main.published else None,
           "method": main.method, "paragraphs": main.body.split("\n\n"), "text": main.text}  # fmt: skip
    return rec, doc


def test_every_source_has_recorded_pages() -> None:
    assert set(SOURCES) == set(builtin_sources()) - {"sample"}


@pytest.mark.parametrize("sid", SOURCES)
def test_article_gives_the_golden_document(sid: str, update_golden: bool) -> None:
    rec, doc = _document(FIXTURES / sid)
    exp = rec["expected"]
    assert doc["title"] == exp["title"] and doc["published"] == exp["published"] and doc["author"] == exp["author"]
    assert doc["sapo"].startswith(exp["sapo_starts"])
    assert doc["paragraphs"][0].startswith(exp["body_starts"]) and doc["paragraphs"][-1].endswith(exp["body_ends"])
    golden = FIXTURES / sid / "expected.json"
    text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if update_golden or not golden.exists():
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text, "run pytest --update-golden and review the diff"


@pytest.mark.parametrize("sid", SOURCES)
def test_listing_page_yields_articles_and_pagination(sid: str) -> None:
    rec = tomllib.loads((FIXTURES / sid / "recorded.toml").read_text(encoding="utf-8"))
    source = builtin_sources()[sid]
    spider = GenericSpider(source)
    body = (FIXTURES / sid / "listing.html").read_bytes()
    response = HtmlResponse(rec["listing_url"], body=body, request=Request(rec["listing_url"], meta={"kind": "listing"}))
    out = list(spider.parse_listing(response))
    requests = [r for r in out if isinstance(r, Request)]
    articles = [r.url for r in requests if r.meta["kind"] == "article"]
    assert len(articles) >= 5 and all(source.is_article(u) for u in articles)
    assert any(r.meta["kind"] == "listing" for r in requests), "pagination or sections are followed"
