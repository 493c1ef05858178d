"""Báo Người Lao Động (nld.com.vn), section Công đoàn.

Unverified: recorded pages written by the project in the site's style; check against the live site.
Public scrapers of nld.com.vn use h1.detail-title, h2.detail-sapo, div.detail-content.afcbc-body and
div.detail-time; the author block and the /cong-doan/trang-2.htm pagination are guesses. Article URLs
are /<slug>-<timestamp digits>.htm (older ones sat under /cong-doan/, also accepted).
"""
from crawler.sources import Selectors, Source

SOURCE = Source(
    id="nld_congdoan",
    name="Báo Người Lao Động — Công đoàn",
    level="press",
    start_urls=("https://nld.com.vn/cong-doan.htm",),
    feeds=("https://nld.com.vn/rss/cong-doan.rss",),
    article_url=r"^/(?:cong-doan/)?[a-z0-9]+(?:-[a-z0-9]+)*-\d{14,}\.htm$",
    listing_url=r"^/cong-doan(?:\.htm|/trang-\d+\.htm|/)$",
    selectors=(
        Selectors(
            title="h1.detail-title",
            sapo="h2.detail-sapo",
            published="div.detail-time",
            author="div.detail-author .name",
            body="div.detail-content",
        ),
    ),
)
