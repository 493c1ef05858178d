"""Liên đoàn Lao động tỉnh Quảng Nam (congdoanquangnam.org.vn — plausible host, not verified).

Unverified: recorded pages written by the project in the site's style; check against the live site.
Nothing about this site was found in public material. It is modelled as a Joomla site, common among
provincial federations: articles /index.php/<menu>/<category>/<id>-<alias> (the /index.php prefix
may be absent with URL rewriting), categories paginated with "?start=10", an RSS view per category,
and Joomla's article markup (itemprop="headline", dd.published, div[itemprop=articleBody]); the lead
is the first, bold paragraph of the body.
"""
from crawler.sources import Selectors, Source

SOURCE = Source(
    id="ldld_quangnam",
    name="Liên đoàn Lao động tỉnh Quảng Nam",
    level="province",
    province="Quảng Nam",
    start_urls=("https://congdoanquangnam.org.vn/index.php/tin-tuc/hoat-dong-cong-doan",),
    feeds=("https://congdoanquangnam.org.vn/index.php/tin-tuc/hoat-dong-cong-doan?format=feed&type=rss",),
    article_url=r"^(?:/index\.php)?(?:/[a-z0-9-]+){1,3}/\d+-[a-z0-9]+(?:-[a-z0-9]+)*(?:\.html)?$",
    listing_url=r"^(?:/index\.php)?/(?:tin-tuc|thi-dua-khen-thuong)(?:/[a-z0-9-]+)?/?$",
    selectors=(
        Selectors(
            title="div.item-page [itemprop=headline]",
            sapo="div[itemprop=articleBody] > p:first-child",
            published="dd.published time",
            author="dd.createdby [itemprop=name]",
            body="div[itemprop=articleBody]",
        ),
    ),
)
