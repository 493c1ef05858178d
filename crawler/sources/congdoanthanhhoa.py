"""Liên đoàn Lao động tỉnh Thanh Hóa (congdoanthanhhoa.vn).

Unverified: recorded pages written by the project in the site's style; check against the live site.
Only the article URL shape /tin-tuc/<slug> (no numeric id) is known; category pages
/chuyen-muc/<slug> with "?page=2" and the news-* class names are a plausible Vietnamese-CMS
(Bootstrap) structure. No sitemap or feed is assumed.
"""
from crawler.sources import Selectors, Source

SOURCE = Source(
    id="congdoanthanhhoa",
    name="Liên đoàn Lao động tỉnh Thanh Hóa",
    level="province",
    province="Thanh Hóa",
    start_urls=("https://congdoanthanhhoa.vn/tin-tuc", "https://congdoanthanhhoa.vn/chuyen-muc/thi-dua-khen-thuong"),
    # an article slug has several words; "/tin-tuc" alone is the listing
    article_url=r"^/tin-tuc/[a-z0-9]+(?:-[a-z0-9]+){3,}/?$",
    listing_url=r"^/(?:tin-tuc|chuyen-muc/[a-z0-9-]+)/?$",
    selectors=(
        Selectors(
            title="div.news-detail h1.news-title",
            sapo="div.news-detail div.news-summary",
            published="div.news-detail span.news-date",
            author="div.news-detail p.news-author",
            body="div.news-detail div.news-content",
        ),
    ),
)
