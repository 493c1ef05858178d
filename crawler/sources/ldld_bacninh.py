"""Liên đoàn Lao động tỉnh Bắc Ninh (congdoanbacninh.org.vn — plausible host, not verified).

Unverified: recorded pages written by the project in the site's style; check against the live site.
Nothing about this site was found in public material: the host, the URL shapes
(/<category>/<slug>-<id>.html, listings /<category>/trang-2/), the old table layout with Vietnamese
class names (tieude, tomtat, ngaydang, noidung, tacgia) and the windows-1258 article page are a
plausible older provincial-portal structure.
"""
from crawler.sources import Selectors, Source

SOURCE = Source(
    id="ldld_bacninh",
    name="Liên đoàn Lao động tỉnh Bắc Ninh",
    level="province",
    province="Bắc Ninh",
    start_urls=("http://congdoanbacninh.org.vn/thi-dua-khen-thuong/", "http://congdoanbacninh.org.vn/tin-tuc/"),
    article_url=r"^/[a-z0-9-]+/[a-z0-9]+(?:-[a-z0-9]+)*-\d+\.html$",
    listing_url=r"^/(?:tin-tuc|thi-dua-khen-thuong|hoat-dong-cong-doan|tuyen-truyen|nu-cong)/(?:trang-\d+/)?$",
    selectors=(
        Selectors(
            title="td.tieude h1",
            sapo="div.tomtat",
            published="span.ngaydang",
            author="div.tacgia",
            body="div.noidung",
        ),
    ),
)
