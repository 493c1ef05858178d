"""WARC writing (gzip, one member per record, rotated by size) and reading back by offset."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Scrapy hands over decoded bodies: headers describing the wire encoding would lie.
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
    warc_file: str  # name relative to the archive directory
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class StoredResponse:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


class WarcArchive:
    """Append responses to ``<dir>/<prefix>-NNNNN.warc.gz``; start a new file past ``max_bytes``."""

    def __init__(self, directory: Path, prefix: str, max_bytes: int = 100 * 2**20) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._fh: BinaryIO | None = None
        self._name = ""
        self._seq = 0
        directory.mkdir(parents=True, exist_ok=True)

    def _open_next(self) -> None:
        self.close()
        while True:
            self._seq += 1
            self._name = f"{self.prefix}-{self._seq:05d}.warc.gz"
            path = self.directory / self._name
            if not path.exists():
                break
        self._fh = path.open("ab")

    def write_response(
        self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes, fetched_at: dt.datetime
    ) -> ArchivedRecord:
        if self._fh is None or self._fh.tell() >= self.max_bytes:
            self._open_next()
        assert self._fh is not None
        kept = [(k, v) for k, v in headers if k.lower() not in _DROP_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason or 'OK'}", kept, protocol="HTTP/1.1")
        writer = WARCWriter(self._fh, gzip=True)
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
        offset = self._fh.tell()
        writer.write_record(record)
        self._fh.flush()
        return ArchivedRecord(self._name, offset, self._fh.tell() - offset)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_response(directory: Path, warc_file: str, offset: int) -> StoredResponse:
    """Read back the response record that starts at ``offset`` in ``warc_file``."""
    with (directory / warc_file).open("rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            headers = dict(record.http_headers.headers) if record.http_headers else {}
            status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
            return StoredResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                status=status,
                headers=headers,
                body=record.content_stream().read(),
            )
    raise FileNotFoundError(f"no response record at {warc_file}:{offset}")
