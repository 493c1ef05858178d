"""Tạp chí Lao động và Công đoàn (laodongdoanthe.vn), journal of the Tổng Liên đoàn Lao động Việt Nam.

Unverified: recorded pages written by the project in the site's style; check against the live site.
Only a section path (/tap-chi-in/...) was seen in public material. The rest assumes a WordPress
site: articles at /<slug>-<post id>.html, category pages /<category>/ paginated as /page/2/,
a /feed and a Yoast-style sitemap index, and standard theme classes (entry-title, entry-content).
"""
from crawler.sources import Selectors, Source

SOURCE = Source(
    id="laodongdoanthe",
    name="Tạp chí Lao động và Công đoàn",
    level="press",
    start_urls=("https://laodongdoanthe.vn/cong-doan/",),
    sitemaps=("https://laodongdoanthe.vn/sitemap_index.xml",),
    feeds=("https://laodongdoanthe.vn/feed",),
    article_url=r"^/[a-z0-9]+(?:-[a-z0-9]+)*-\d+\.html$",
    listing_url=r"^/(?:cong-doan|thi-dua-khen-thuong|lao-dong-viec-lam|tap-chi-in)(?:/[a-z0-9-]+)?(?:/page/\d+)?/?$",
    selectors=(
        Selectors(
            title="h1.entry-title",
            sapo="div.post-sapo",
            published="time.entry-date",
            author="span.author.vcard",
            body="div.entry-content",
        ),
    ),
)
