"""The spider's record of what a run has requested: one request per page, however it is
linked, in a set whose size per URL stays small."""
from __future__ import annotations

import gc
import random
import tracemalloc

import pytest

from crawler.sources import Source
from crawler.spiders.generic import GenericSpider
from crawler.urls import SeenUrls


def _spider(max_pages: int = 100) -> GenericSpider:
    source = Source(
        id="seen", name="seen test", level="province", start_urls=("http://ldld.example.vn/",),
        article_url=r"^/tin-tuc/.+\.html$", max_pages=max_pages,
    )  # fmt: skip
    return GenericSpider(source)


def test_a_page_is_requested_once_however_it_is_linked() -> None:
    spider = _spider()
    first = spider._follow("http://ldld.example.vn/tin-tuc/phat-dong-thi-dua-2025.html?utm_source=fb")
    again = spider._follow("http://ldld.example.vn/tin-tuc/phat-dong-thi-dua-2025.html#binh-luan")
    other = spider._follow("http://ldld.example.vn/tin-tuc/so-ket-6-thang.html")
    assert first is not None and first.url == "http://ldld.example.vn/tin-tuc/phat-dong-thi-dua-2025.html"
    assert again is None
    assert other is not None


def test_the_page_budget_counts_distinct_urls() -> None:
    spider = _spider(max_pages=3)
    urls = [f"http://ldld.example.vn/tin-tuc/bai-{i}.html" for i in range(5)]
    made = [spider._follow(u) for u in urls + urls]
    assert sum(r is not None for r in made) == 3


def test_seen_urls_agrees_with_a_set_across_merges() -> None:
    rng = random.Random(7)
    urls = [f"http://ldld.example.vn/tin-tuc/bai-{rng.randrange(30_000)}.html" for _ in range(40_000)]
    seen, plain = SeenUrls(), set()
    for u in urls:
        assert seen.add(u) == (u not in plain), u
        plain.add(u)
    assert len(seen) == len(plain)
    assert len(seen._sorted) > 4096  # the checks above spanned merges into the sorted array
    assert all(u in seen for u in plain)
    assert sum(f"http://ldld.example.vn/khac/{i}" in seen for i in range(10_000)) == 0


def test_each_run_keys_its_digests_afresh() -> None:
    """A digest collision in one run (odds about 1 in 140,000 among a million URLs) is not
    repeated in the next, so the page that lost is requested then."""
    a, b = SeenUrls(), SeenUrls()
    url = "http://ldld.example.vn/tin-tuc/bai-1.html"
    assert a._digest(url) == a._digest(url) != b._digest(url)
    assert 0 <= a._digest(url) < 2**56


@pytest.mark.parametrize("n", [20_000, 100_000])
def test_seen_urls_hold_under_24_bytes_per_url(n: int) -> None:
    urls = [f"http://congdoan.ldld.example.vn/tin-tuc/hoat-dong-cong-doan/bai-viet-so-{i}.html" for i in range(n)]
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        seen = SeenUrls()
        for u in urls:
            seen.add(u)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(seen) == n
    assert (after - before) / n < 24, (after - before) / n
