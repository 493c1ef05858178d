"""Cổng thông tin Công đoàn Việt Nam (congdoanvietnam.vn), portal of the Tổng Liên đoàn Lao động Việt Nam.

Unverified: recorded pages written by the project in the site's style; check against the live site.
Only the article URL shape (/<section>/<slug>-<id>.tld) was seen in public material; the section
names other than /thoi-su, the "?page=2" pagination and the article__* class names are a plausible
Vietnamese-CMS structure, not the site's known markup.
"""
from crawler.sources import Selectors, Source

SOURCE = Source(
    id="congdoanvietnam",
    name="Cổng thông tin Công đoàn Việt Nam",
    level="national",
    start_urls=("https://congdoanvietnam.vn/cong-doan", "https://congdoanvietnam.vn/thi-dua"),
    sitemaps=("https://congdoanvietnam.vn/sitemap.xml",),
    article_url=r"^/[a-z0-9-]+/[a-z0-9]+(?:-[a-z0-9]+)*-\d+\.tld$",
    # section pages; pagination is a query string (/cong-doan?page=2)
    listing_url=r"^/(?:thoi-su|cong-doan|thi-dua|hoat-dong-cong-doan)(?:/[a-z0-9-]+)?/?$",
    selectors=(
        Selectors(
            title="h1.article__title",
            sapo="div.article__sapo",
            published="span.article__date",
            author="div.article__author",
            body="div.article__body",
        ),
    ),
)
