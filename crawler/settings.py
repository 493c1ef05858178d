"""Polite Scrapy defaults. The caller adds THIDUA_* keys (database, archive, run id)."""
from __future__ import annotations

from typing import Any

USER_AGENT = "thidua/0.1 (+https://github.com/thidua/thidua; research crawler of union campaign plans)"

DEFAULTS: dict[str, Any] = {
    "BOT_NAME": "thidua",
    "USER_AGENT": USER_AGENT,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "DOWNLOAD_DELAY": 1.0,
    "DOWNLOAD_DELAY_JITTER": 0,  # delays are exact, so a Retry-After is never shortened
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 20 * 2**20,
    "DOWNLOAD_WARNSIZE": 5 * 2**20,
    "DEPTH_LIMIT": 50,  # pagination can be deep; traps are stopped by the URL rules in the spider
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "HTTPERROR_ALLOW_ALL": True,  # 404/410 pages are recorded too, not silently dropped
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": 300},
    # responses pass middlewares from high to low numbers: 560 sees a 429 before RetryMiddleware (550)
    "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.RetryAfterMiddleware": 560},
    "RETRY_AFTER_MAX": 300.0,
    "RETRY_AFTER_TIMES": 3,
}

# Our own loopback test server needs no politeness; used by `thidua demo` and the tests.
LOCAL_OVERRIDES: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0.0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
}
