"""Báo Lao động Thủ đô (laodongthudo.vn), organ of the Hà Nội Federation of Labour.

Unverified: recorded pages written by the project in the site's style; check against the live site.
Listing markup (div.list_news / div.list_news_title, paging div.__MB_ARTICLE_PAGING) follows what a
public scraper of the site used; the article-page class names and the "/p2" pagination are plausible
guesses in the same CMS naming, not seen on the site.
"""
from crawler.sources import Selectors, Source

SOURCE = Source(
    id="laodongthudo",
    name="Báo Lao động Thủ đô",
    level="press",
    province="Hà Nội",
    start_urls=("https://laodongthudo.vn/cong-doan",),
    sitemaps=("https://laodongthudo.vn/sitemap.xml",),
    article_url=r"^/[a-z0-9]+(?:-[a-z0-9]+)*-\d+\.html$",
    listing_url=r"^/cong-doan(?:/[a-z0-9-]+)?(?:/p\d+)?/?$",
    selectors=(
        Selectors(
            title="h1.title_detail",
            sapo="div.sapo_detail",
            published="div.date_detail span.time",
            author="div.content_detail p.author_detail",
            body="div.content_detail",
        ),
    ),
)
