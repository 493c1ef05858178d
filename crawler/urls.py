"""One URL per page however it is linked: canonical form used as the page key."""
from __future__ import annotations

import hashlib
import os
from array import array
from bisect import bisect_left
from heapq import merge
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = {"fbclid", "gclid", "zarsrc", "zaloapp", "ref", "source", "cmpid", "_ga"}


def canonical_url(url: str) -> str:
    """Lower-case host, no fragment, no tracking parameters, sorted query, no default port."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_PARAMS
    ]
    netloc = (parts.hostname or "").lower()
    if parts.port and not ((parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)):
        netloc += f":{parts.port}"
    rebuilt = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(rebuilt)


class SeenUrls:
    """The URLs one run has requested, in about 12-19 bytes each however long they are (19
    at 20,000 URLs, 12 at a million).

    A set of the strings holds about 235 bytes per URL at 20,000 (the string and its share
    of the hash table), and a run remembers every URL it requests. Here each URL is a 56-bit keyed
    digest: the newest are a small set, merged into a sorted array of 8-byte integers
    whenever that set reaches a sixteenth of the array (or 4,096), so the set stays a small
    share and merges cost a constant amount per URL over a run. Among a million URLs two
    share a digest with odds of about 1 in 140,000; the key is new each run, so the page
    that lost is requested by a later one.
    """

    def __init__(self) -> None:
        self._key = os.urandom(16)
        self._sorted = array("Q")
        self._recent: set[int] = set()

    def _digest(self, url: str) -> int:
        return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=7, key=self._key).digest(), "little")

    def _has(self, digest: int) -> bool:
        if digest in self._recent:
            return True
        i = bisect_left(self._sorted, digest)
        return i < len(self._sorted) and self._sorted[i] == digest

    def __contains__(self, url: str) -> bool:
        return self._has(self._digest(url))

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def add(self, url: str) -> bool:
        """Remember ``url``; False if it was already remembered."""
        digest = self._digest(url)
        if self._has(digest):
            return False
        self._recent.add(digest)
        if len(self._recent) >= max(4096, len(self._sorted) // 16):
            self._sorted = array("Q", merge(self._sorted, sorted(self._recent)))
            self._recent = set()
        return True
