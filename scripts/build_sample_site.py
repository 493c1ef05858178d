#!/usr/bin/env python3
"""Build data/sample_site/ (a static union news portal) and data/gold/sample_site.jsonl
from the article sources in data/sample_src/articles/.

    python scripts/build_sample_site.py [--out DIR] [--gold FILE]

The site poses as http://tintuccongdoan.example: every absolute URL in it (canonical
links, sitemaps, RSS) uses that host, and `thidua demo` serves it from 127.0.0.1 as an
HTTP proxy for that host. Page furniture (menus, ticker, related lists, counters) is added
here, the same on every page, as real CMSs do.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import shutil
import sys
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "data" / "sample_src" / "articles"
OUT = ROOT / "data" / "sample_site"
GOLD = ROOT / "data" / "gold" / "sample_site.jsonl"
SITE = "http://tintuccongdoan.example"
SITE_NAME = "Tin Công đoàn"
PER_PAGE = 8

SECTIONS = {
    "thi-dua": "Thi đua – Khen thưởng",
    "hoat-dong": "Hoạt động Công đoàn",
    "doi-song": "Đời sống – Việc làm",
    "phap-luat": "Chính sách – Pháp luật",
}
# Furniture that quotes names an extractor must not take for the article's own.
TICKER = [
    "Hưởng ứng cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam” trong đoàn viên",
    "Sôi nổi phong trào “Lao động giỏi, Lao động sáng tạo” tại các khu công nghiệp",
]
QUOTE_RE = re.compile(r"[“\"‘]([^“”\"‘’]{3,}?)[”\"’]")


@dataclass(frozen=True)
class Article:
    id: int
    slug: str
    section: str
    title: str
    published: dt.datetime
    author: str
    sapo: str
    unicode: str
    related_titles: tuple[str, ...]
    gold: dict
    body: str

    @property
    def path(self) -> str:
        return f"/{self.section}/{self.slug}-{self.id}.html"

    @property
    def url(self) -> str:
        return SITE + self.path


def read_article(path: Path) -> Article:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("+++\n") or "\n+++\n" not in text[4:]:
        raise SystemExit(f"{path}: must start with a +++ TOML front matter block closed by +++")
    front, body = text[4:].split("\n+++\n", 1)
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        raise SystemExit(f"{path}: front matter is not valid TOML: {exc}") from exc
    for key in ("id", "slug", "section", "title", "published", "gold"):
        if key not in meta:
            raise SystemExit(f"{path}: front matter lacks {key!r}")
    if meta["section"] not in SECTIONS:
        raise SystemExit(f"{path}: unknown section {meta['section']!r}; use one of {sorted(SECTIONS)}")
    published = meta["published"]
    if isinstance(published, str):
        published = dt.datetime.fromisoformat(published)
    return Article(
        id=int(meta["id"]),
        slug=meta["slug"],
        section=meta["section"],
        title=meta["title"],
        published=published,
        author=meta.get("author", ""),
        sapo=meta.get("sapo", ""),
        unicode=meta.get("unicode", "NFC"),
        related_titles=tuple(meta.get("related_titles", [])),
        gold=meta["gold"],
        body=body.strip("\n"),
    )


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def attr(s: str) -> str:
    return html.escape(s, quote=True)


def render_body(body: str) -> list[str]:
    """Blank line = new paragraph; single newline = hard wrap (<br>); "## " = heading line."""
    out = []
    for para in re.split(r"\n\s*\n", body):
        if not para.strip():
            continue
        if para.startswith("## "):
            out.append(f"<p><strong>{esc(para[3:].strip())}</strong></p>")
            continue
        out.append("<p>" + "<br>\n".join(esc(line) for line in para.split("\n")) + "</p>")
    return out


def shown_date(d: dt.datetime) -> str:
    return f"Cập nhật lúc {d:%H:%M} {d:%d/%m/%Y} (GMT+7)"


def counter(seed: int) -> str:
    total = 12_000_000 + seed * 7919
    return f"{total:,}".replace(",", ".")


def layout(title: str, canonical: str, main: str, seed: int, head_extra: str = "") -> str:
    menu = "\n".join(f'      <li><a href="/chuyen-muc/{k}/">{esc(v)}</a></li>' for k, v in SECTIONS.items())
    ticker = "\n".join(f"      <li>{esc(t)}</li>" for t in TICKER)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{esc(title)} | {SITE_NAME}</title>
  <link rel="canonical" href="{attr(canonical)}">
  <link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="{SITE}/rss.xml">
{head_extra}</head>
<body>
  <header class="site-header">
    <div class="topbar"><span class="today">Cổng thông tin của Công đoàn</span> | <a href="/tim-kiem/">Tìm kiếm</a> | <a href="/admin/dang-nhap">Đăng nhập</a></div>
    <div class="logo"><a href="/">{SITE_NAME.upper()}</a> <span>Trang tin mẫu của dự án thidua</span></div>
    <nav class="main-menu">
      <ul>
      <li><a href="/">Trang chủ</a></li>
{menu}
      </ul>
    </nav>
    <div class="ticker"><strong>Tiêu điểm:</strong>
      <ul>
{ticker}
      </ul>
    </div>
  </header>
  <main class="container">
{main}
  </main>
  <aside class="sidebar">
    <div class="box-visits">Đang truy cập: {seed % 300 + 17} | Tổng lượt truy cập: {counter(seed)}</div>
  </aside>
  <footer class="site-footer">
    <p>© {SITE_NAME} — trang mẫu, nội dung do dự án thidua tự viết để thử nghiệm.</p>
    <p>Địa chỉ: Số 1 phố Mẫu, Hà Nội. Điện thoại: 024.0000.0000</p>
  </footer>
</body>
</html>
"""


def related_for(a: Article, articles: list[Article]) -> list[Article]:
    others = [b for b in articles if b.id != a.id]
    others.sort(key=lambda b: (b.section != a.section, abs(b.id - a.id), b.id))
    return others[:4]


def render_article(a: Article, articles: list[Article]) -> str:
    related = related_for(a, articles)
    rel_items = "\n".join(f'        <li><a href="{b.path}">{esc(b.title)}</a></li>' for b in related)
    rel_items += "".join(f"\n        <li>{esc(t)}</li>" for t in a.related_titles)
    paras = render_body(a.body)
    if a.id % 4 == 0 and len(paras) > 3:  # some CMSs put a "see also" box inside the body
        b = related[0]
        box = f'<div class="box-related-inline"><strong>Xem thêm:</strong> <a href="{b.path}">{esc(b.title)}</a></div>'
        paras.insert(2, box)
    body = "\n      ".join(paras)
    author = f'<span class="author">{esc(a.author)}</span> ' if a.author else ""
    section = SECTIONS[a.section]
    main = f"""    <div class="breadcrumb"><a href="/">Trang chủ</a> › <a href="/chuyen-muc/{a.section}/">{esc(section)}</a></div>
    <article class="article-detail">
      <h1 class="article-title">{esc(a.title)}</h1>
      <div class="article-meta">{author}<time datetime="{a.published.isoformat()}">{shown_date(a.published)}</time></div>
      <p class="sapo"><strong>{esc(a.sapo)}</strong></p>
      <div class="article-content">
      {body}
      </div>
    </article>
    <section class="related-news">
      <h3>Tin liên quan</h3>
      <ul>
{rel_items}
      </ul>
    </section>"""
    head = (
        f'  <meta property="og:title" content="{attr(a.title)}">\n'
        f'  <meta property="article:published_time" content="{a.published.isoformat()}">\n'
    )
    page = layout(a.title, a.url, main, a.id, head)
    return unicodedata.normalize("NFD", page) if a.unicode == "NFD" else page


def listing_items(items: list[Article]) -> str:
    return "\n".join(
        f'      <li class="news-item"><a href="{b.path}">{esc(b.title)}</a>'
        f' <span class="date">{b.published:%d/%m/%Y}</span><p>{esc(b.sapo)}</p></li>'
        for b in items
    )


def render_listing(section: str, items: list[Article], page: int, pages: int) -> str:
    base = f"/chuyen-muc/{section}/"
    links = []
    for p in range(1, pages + 1):
        href = base if p == 1 else f"{base}trang-{p}/"
        links.append(f'<a href="{href}">{p}</a>' if p != page else f"<span>{p}</span>")
    if page < pages:
        links.append(f'<a class="next" href="{base}trang-{page + 1}/">Trang sau »</a>')
    main = f"""    <h2 class="section-title">{esc(SECTIONS[section])}</h2>
    <ul class="news-list">
{listing_items(items)}
    </ul>
    <div class="pagination">{' '.join(links)}</div>"""
    path = base if page == 1 else f"{base}trang-{page}/"
    return layout(f"{SECTIONS[section]} - trang {page}", SITE + path, main, page * 31 + len(section))


def render_home(articles: list[Article]) -> str:
    latest = sorted(articles, key=lambda a: a.published, reverse=True)[:12]
    sections = "\n".join(f'      <li><a href="/chuyen-muc/{k}/">{esc(v)}</a></li>' for k, v in SECTIONS.items())
    main = f"""    <h2>Tin mới</h2>
    <ul class="news-list">
{listing_items(latest)}
    </ul>
    <h2>Chuyên mục</h2>
    <ul>
{sections}
    </ul>"""
    return layout("Trang chủ", SITE + "/", main, 1)


def render_search() -> str:
    main = '    <form action="/tim-kiem/"><input name="q"><button>Tìm</button></form>'
    return layout("Tìm kiếm", SITE + "/tim-kiem/", main, 2)


def sitemaps(articles: list[Article], listing_paths: list[str]) -> dict[str, str]:
    def urlset(rows: list[tuple[str, str]]) -> str:
        body = "\n".join(f"  <url><loc>{SITE}{p}</loc><lastmod>{m}</lastmod></url>" for p, m in rows)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "\n</urlset>\n"
        )

    newest = max(a.published for a in articles).date().isoformat()
    arts = [(a.path, a.published.date().isoformat()) for a in sorted(articles, key=lambda a: a.id)]
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <sitemap><loc>{SITE}/sitemap-articles.xml</loc><lastmod>{newest}</lastmod></sitemap>\n"
        f"  <sitemap><loc>{SITE}/sitemap-sections.xml</loc><lastmod>{newest}</lastmod></sitemap>\n"
        "</sitemapindex>\n"
    )
    return {
        "sitemap.xml": index,
        "sitemap-articles.xml": urlset(arts),
        # the search page is listed too, as some CMSs do, though robots.txt disallows it
        "sitemap-sections.xml": urlset([(p, newest) for p in ["/", *listing_paths, "/tim-kiem/"]]),
    }


def rss(articles: list[Article]) -> str:
    latest = sorted(articles, key=lambda a: a.published, reverse=True)[:20]
    items = "\n".join(
        f"    <item><title>{esc(a.title)}</title><link>{a.url}</link><guid>{a.url}</guid>"
        f"<pubDate>{a.published.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>"
        f"<description>{esc(a.sapo)}</description></item>"
        for a in latest
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n'
        f"    <title>{SITE_NAME}</title>\n    <link>{SITE}/</link>\n"
        f"    <description>Tin tức hoạt động Công đoàn</description>\n{items}\n  </channel>\n</rss>\n"
    )


ROBOTS = f"""User-agent: *
Disallow: /tim-kiem/
Disallow: /admin/

Sitemap: {SITE}/sitemap.xml
"""


def _none(v):
    return None if v == "" else v


def gold_record(a: Article, page_html: str) -> dict:
    g = a.gold
    body_nfc = unicodedata.normalize("NFC", a.body)

    def items(key: str, nullable: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> list[dict]:
        out = []
        for it in g.get(key, []):
            rec = {}
            for k, v in it.items():
                if k in optional and v == "":
                    continue
                rec[k] = None if (k in nullable and v == "") else v
            out.append(rec)
        return out

    page_nfc = unicodedata.normalize("NFC", page_html)
    furniture = page_nfc.replace(esc(body_nfc), "")
    boiler = sorted({m.group(1) for m in QUOTE_RE.finditer(html.unescape(furniture))} - {""})
    def flat(t: str) -> str:
        return " ".join(t.split())

    own = flat(" ".join((body_nfc, a.title, a.sapo)))
    boiler = [q for q in boiler if flat(q) not in own]
    year = g.get("year", 0)
    return {
        "id": f"{a.slug}-{a.id}",
        "url": a.url,
        "relevant": g["relevant"],
        **({"category": g["category"]} if g.get("category") else {}),  # what kind of page (training the relevance model)
        "title": a.title,
        "published": a.published.date().isoformat(),
        "author": a.author or None,
        "issuer": _none(g.get("issuer", "")),
        "level": _none(g.get("level", "")),
        "province": _none(g.get("province", "")),
        "district": _none(g.get("district", "")),
        "province_2025": _none(g.get("province_2025", "")),
        "year": year or None,
        "doc_number": _none(g.get("doc_number", "")),
        "signatory": _none(g.get("signatory", "")),
        "themes": items("themes", optional=("hard",)),
        "phases": items("phases", nullable=("theme",), optional=("hard", "note")),
        "movements": items("movements", optional=("parent", "launched_by", "hard", "note")),
        "other_quotes": items("other_quotes", optional=("hard", "note")),
        "anniversaries": items("anniversaries", nullable=("from", "to"), optional=("hard", "note")),
        "legal_refs": list(g.get("legal_refs", [])),
        "topics": list(g.get("topics", [])),
        "boilerplate_quotes": boiler,
    }


def build(out: Path, gold: Path) -> int:
    articles = sorted((read_article(p) for p in SRC.glob("*.md")), key=lambda a: a.id)
    if not articles:
        raise SystemExit(f"no articles in {SRC}")
    ids = [a.id for a in articles]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SystemExit(f"duplicate article ids: {sorted(dup)}")
    if out.exists():
        shutil.rmtree(out)
    files: dict[str, str] = {}
    records = []
    for a in articles:
        page = render_article(a, articles)
        files[a.path.lstrip("/")] = page
        records.append(gold_record(a, page))
    listing_paths = []
    for section in SECTIONS:
        items = sorted((a for a in articles if a.section == section), key=lambda a: a.published, reverse=True)
        pages = max(1, -(-len(items) // PER_PAGE))
        for p in range(1, pages + 1):
            rel = f"chuyen-muc/{section}/" + ("" if p == 1 else f"trang-{p}/")
            listing_paths.append("/" + rel)
            files[rel + "index.html"] = render_listing(section, items[(p - 1) * PER_PAGE : p * PER_PAGE], p, pages)
    files["index.html"] = render_home(articles)
    files["tim-kiem/index.html"] = render_search()
    files["robots.txt"] = ROBOTS
    files["rss.xml"] = rss(articles)
    files.update(sitemaps(articles, listing_paths))
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    gold.parent.mkdir(parents=True, exist_ok=True)
    with gold.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(articles)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT, help="site directory to (re)write")
    ap.add_argument("--gold", type=Path, default=GOLD, help="gold JSONL file to (re)write")
    args = ap.parse_args(argv)
    n = build(args.out, args.gold)
    print(f"built {n} articles into {args.out} and {args.gold}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
