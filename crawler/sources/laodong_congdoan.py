"""Báo Lao Động (laodong.vn), section Công đoàn — the daily of the Vietnam General Confederation of Labour.

Unverified: recorded pages written by the project in the site's style; check against the live site.
Public scrapers of laodong.vn read the title from h1.title, the sapo from div.chappeau, the body from
div.art-body and the date from time.f-datetime; the author block and the "?page=2" pagination are
guesses. Article URLs are /<section>/<slug>-<id>.ldo; older ones stored in public page archives end
in .bld instead, so both are accepted.
"""
from crawler.sources import Selectors, Source

SOURCE = Source(
    id="laodong_congdoan",
    name="Báo Lao Động — Công đoàn",
    level="press",
    start_urls=("https://laodong.vn/cong-doan",),
    sitemaps=("https://laodong.vn/sitemap.xml",),
    feeds=("https://laodong.vn/rss/cong-doan.rss",),
    article_url=r"^/[a-z0-9-]+/[a-z0-9]+(?:-[a-z0-9]+)*-\d+\.(?:ldo|bld)$",
    # section pages; pagination is a query string (/cong-doan?page=2), so the path stays the same
    listing_url=r"^/cong-doan(?:/[a-z0-9-]+)?/?$",
    selectors=(
        Selectors(
            title="h1.title",
            sapo="div.chappeau",
            published="time.f-datetime",
            author="div.art-authors span.author",
            body="div.art-body",
        ),
    ),
)
