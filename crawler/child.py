"""Run a crawl in a child process, as a job does.

A crawl leaves the process that ran it larger than it found it: nothing it created stays
alive, but the allocator keeps the memory that Scrapy, Twisted and the page bodies passed
through (make bench measured about 1 KB per page fetched). In a child, that memory goes
back to the system when the crawl ends, before the job's extraction starts. It also lifts
Scrapy's limit of one reactor, so one crawl, per process.

The parent sends the arguments (pickled) on the child's stdin, with its log level and its
DuckDB memory limit (``pipeline.store.set_memory``), which the child keeps to; the child
sends back its log records as they come and then the result, through a pipe. The child dies
with its parent (a ``kill -9`` of the job kills its crawl too: the next run resumes from
what was stored), and runs in a session of its own: an interrupt (Ctrl-C, SIGTERM) reaches
the parent, which passes it on, so Scrapy shuts the crawl down cleanly (a second interrupt:
at once) and the job goes on with what it fetched.
"""
from __future__ import annotations

import ctypes
import logging
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.errors import ThiduaError
from pipeline.store.db import memory_mb, set_memory

FD_VARIABLE = "THIDUA_CRAWL_PIPE"
_PLAIN = (str, int, float, bool, type(None))
_FORWARDED = (signal.SIGINT, signal.SIGTERM)


# The child finds the package as its parent did (same interpreter, environment and working
# directory) or, failing that, in this file's folder, put last so nothing shadows the stdlib.
_CHILD = f"import sys; sys.path.append({str(Path(__file__).resolve().parent.parent)!r}); from crawler.child import main; main()"


class CrawlProcessError(ThiduaError):
    hint = "what it stored before is kept; run the job again and it resumes"


def run_in_child(*args: Any, **kwargs: Any) -> Any:
    """``crawler.run.run_crawl(*args, **kwargs)`` in a child process; its log records are
    handled here, by the loggers they were sent to, and its exceptions raised here."""
    read_fd, write_fd = os.pipe()
    env = dict(os.environ, **{FD_VARIABLE: str(write_fd)})
    payload = pickle.dumps((os.getpid(), logging.getLogger().getEffectiveLevel(), memory_mb(), args, kwargs))
    with _forwarding_signals() as set_child:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, pass_fds=(write_fd,), env=env, start_new_session=True
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        set_child(proc)
        try:
            with Connection(read_fd) as conn:
                try:
                    assert proc.stdin is not None
                    proc.stdin.write(payload)
                    proc.stdin.close()
                except BrokenPipeError:  # it died at once; its exit status says how
                    pass
                outcome = _receive(conn)
        except BaseException:  # we cannot go on: the crawl must not go on without us
            proc.kill()
            raise
        finally:
            code = proc.wait()
    if outcome is None:
        died = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
        raise CrawlProcessError(f"the crawl process {died} before it finished")
    kind, value = outcome
    if kind == "error":
        raise value
    return value


def _receive(conn: Connection) -> tuple[str, Any] | None:
    """Handle the child's log records until its outcome arrives (None if it died first)."""
    while True:
        try:
            kind, value = conn.recv()
        except EOFError:
            return None
        if kind == "log":
            record = logging.makeLogRecord(value)
            logging.getLogger(record.name).handle(record)
        else:
            return kind, value


@contextmanager
def _forwarding_signals() -> Iterator[Any]:
    """While the child runs, SIGINT and SIGTERM to us are passed on to it, and only this way
    (it has a session of its own): the first makes Scrapy stop cleanly, a second at once."""
    child: list[subprocess.Popen[bytes]] = []

    def forward(signum: int, frame: object) -> None:
        if child and child[0].poll() is None:
            child[0].send_signal(signum)

    try:
        old = {s: signal.signal(s, forward) for s in _FORWARDED}
    except ValueError:  # not the main thread: signals stay as they are
        old = {}
    try:
        yield child.append
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


# -- the child's side ---------------------------------------------------------------------
class _PipeHandler(logging.Handler):
    """Send each record to the parent: its message formatted, plain attributes only (Scrapy
    attaches its spider as an extra, which need not cross)."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields = {k: v for k, v in record.__dict__.items() if isinstance(v, _PLAIN)}
            fields["msg"], fields["args"] = record.getMessage(), None
            if record.exc_info:
                fields["exc_text"] = logging.Formatter().formatException(record.exc_info)
            fields.pop("message", None)
            self.conn.send(("log", fields))
        except Exception:  # noqa: BLE001 (logging must not break the crawl)
            self.handleError(record)


def _die_with(parent: int) -> None:
    """Ask Linux to kill us when the parent dies (prctl PR_SET_PDEATHSIG); if it already has, go."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux with glibc: we outlive a killed parent
        pass
    if os.getppid() != parent:
        os._exit(1)


def main() -> None:
    conn = Connection(int(os.environ.pop(FD_VARIABLE)), readable=False)
    parent, level, duckdb_mb, args, kwargs = pickle.loads(sys.stdin.buffer.read())
    _die_with(parent)
    for s in _FORWARDED:  # until Scrapy installs its own handlers, an interrupt ends us quietly
        signal.signal(s, lambda signum, frame: os._exit(128 + signum))
    handler = _PipeHandler(conn)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    set_memory(duckdb_mb)
    from crawler.run import run_crawl

    try:
        outcome: tuple[str, Any] = ("result", run_crawl(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 (raised again in the parent)
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001
            exc = CrawlProcessError(f"{type(exc).__name__}: {exc}")
        outcome = ("error", exc)
    handler.acquire()  # not in the middle of a record another thread is sending
    try:
        conn.send(outcome)
        root.removeHandler(handler)  # what is logged on the way out goes to stderr
    finally:
        handler.release()
    conn.close()
