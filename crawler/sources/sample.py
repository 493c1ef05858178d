"""The bundled sample site (data/sample_site), served locally by `thidua demo`."""
from crawler.sources import Source

SOURCE = Source(
    id="sample",
    name="Tin Công đoàn (bundled sample site)",
    level="press",
    start_urls=("http://tintuccongdoan.example/",),
    sitemaps=("http://tintuccongdoan.example/sitemap.xml",),
    feeds=("http://tintuccongdoan.example/rss.xml",),
    article_url=r"^/[a-z-]+/[a-z0-9-]+-\d+\.html$",
    listing_url=r"^/chuyen-muc/[a-z-]+/(trang-\d+/)?$",
    verified=True,
)
