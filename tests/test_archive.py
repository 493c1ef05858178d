"""The WARC archive on its own: rotation by size, read-back by offset, no file reused."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from crawler.archive import WarcArchive, read_response

WHEN = dt.datetime(2025, 1, 15, 8, 30)


def write(archive: WarcArchive, n: int, start: int = 0) -> list[tuple[str, int, bytes]]:
    out = []
    for i in range(start, start + n):
        body = f"<html><body><p>Bài viết số {i}</p></body></html>".encode() * 40
        rec = archive.write_response(f"http://cd.example/bai-{i}.html", 200, "OK", [("Content-Type", "text/html")], body, WHEN)
        out.append((rec.warc_file, rec.offset, body))
    return out


def test_rotates_and_reads_back_every_record(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "t", max_bytes=1024) as archive:
        written = write(archive, 30)
    files = {f for f, _, _ in written}
    assert len(files) > 3
    assert files == {p.name for p in tmp_path.glob("t-*.warc.gz")}
    for i, (name, offset, body) in enumerate(written):
        stored = read_response(tmp_path, name, offset)
        assert stored.url == f"http://cd.example/bai-{i}.html" and stored.body == body
        assert stored.headers["Content-Type"] == "text/html"


def test_a_new_archive_never_appends_to_an_old_file(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "t", max_bytes=10**9) as archive:
        first = write(archive, 3)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with WarcArchive(tmp_path, "t", max_bytes=10**9) as archive:
        second = write(archive, 3, start=3)
    assert {f for f, _, _ in second}.isdisjoint(before)
    assert all((tmp_path / name).read_bytes() == data for name, data in before.items())
    assert read_response(tmp_path, *first[0][:2]).body == first[0][2]
