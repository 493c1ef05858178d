"""Run a stage of a job in a child process: the crawl, and extraction when it is long.

A stage leaves the process that ran it larger than it found it: nothing it created stays
alive, but allocators keep what passed through them (Scrapy, Twisted and the page bodies in
a crawl: make bench measured about 1 KB per page fetched; the text libraries' and DuckDB's
arenas in extraction). In a child, that memory goes back to the system when the stage ends,
so a job's peak depends on what one child does, not on how many pages the job has seen. It
also lifts Scrapy's limit of one reactor, so one crawl, per process.

``run_in_child("package.module:function", args, kwargs)`` imports the module in the child
and calls the function there. The parent sends the call (pickled) on the child's stdin,
with its log level and its DuckDB memory limit (``pipeline.store.set_memory``), which the
child keeps to; the child sends back its log records as they come, the reports it makes
with ``report`` (progress), and then the result, through a pipe. The child dies with its
parent (a ``kill -9`` of the job kills it too: the next run resumes from what was stored),
and runs in a session of its own: an interrupt (Ctrl-C, SIGTERM) reaches the parent, which
passes it on, so Scrapy shuts the crawl down cleanly (a second interrupt: at once) and the
job goes on with what it fetched.
"""
from __future__ import annotations

import ctypes
import importlib
import logging
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.errors import ThiduaError
from pipeline.store.db import memory_mb, set_memory

FD_VARIABLE = "THIDUA_CHILD_PIPE"
_PLAIN = (str, int, float, bool, type(None))
_FORWARDED = (signal.SIGINT, signal.SIGTERM)


# The child finds the package as its parent did (same interpreter, environment and working
# directory) or, failing that, in this file's folder, put last so nothing shadows the stdlib.
_CHILD = f"import sys; sys.path.append({str(Path(__file__).resolve().parent.parent)!r}); from pipeline.child import main; main()"


class ChildError(ThiduaError):
    hint = "what it stored before is kept; run the job again and it resumes"


_handler: _PipeHandler | None = None  # in a child: what sends to the parent


def run_in_child(
    target: str, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None, *,
    name: str = "the child process", on_report: Callable[[Any], None] | None = None,
) -> Any:  # fmt: skip
    """``function(*args, **kwargs)`` in a child process, ``target`` naming it as
    ``"package.module:function"`` (the parent need not import the module). The child's log
    records are handled here, by the loggers they were sent to; what it passes to ``report``
    goes to ``on_report``; its exceptions are raised here. ``name`` says in an error what died."""
    read_fd, write_fd = os.pipe()
    env = dict(os.environ, **{FD_VARIABLE: str(write_fd)})
    payload = pickle.dumps((os.getpid(), logging.getLogger().getEffectiveLevel(), memory_mb(), target, args, kwargs or {}))
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
                outcome = _receive(conn, on_report)
        except BaseException:  # we cannot go on: the child must not go on without us
            proc.kill()
            raise
        finally:
            code = proc.wait()
    if outcome is None:
        died = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
        raise ChildError(f"{name} {died} before it finished")
    kind, value = outcome
    if kind == "error":
        raise value
    return value


def _receive(conn: Connection, on_report: Callable[[Any], None] | None) -> tuple[str, Any] | None:
    """Handle the child's log records and reports until its outcome arrives (None if it died first)."""
    while True:
        try:
            kind, value = conn.recv()
        except EOFError:
            return None
        if kind == "log":
            record = logging.makeLogRecord(value)
            logging.getLogger(record.name).handle(record)
        elif kind == "report":
            if on_report is not None:
                on_report(value)
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
def report(value: Any) -> None:
    """In a child: send ``value`` (picklable) to the parent's ``on_report``. Elsewhere: nothing."""
    if _handler is not None:
        _handler.send(("report", value))


class _PipeHandler(logging.Handler):
    """Send each record to the parent: its message formatted, plain attributes only (Scrapy
    attaches its spider as an extra, which need not cross)."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn

    def send(self, message: tuple[str, Any]) -> None:
        """One message to the parent; a log record from another thread waits for it."""
        self.acquire()
        try:
            self.conn.send(message)
        finally:
            self.release()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields = {k: v for k, v in record.__dict__.items() if isinstance(v, _PLAIN)}
            fields["msg"], fields["args"] = record.getMessage(), None
            if record.exc_info:
                fields["exc_text"] = logging.Formatter().formatException(record.exc_info)
            fields.pop("message", None)
            self.send(("log", fields))
        except Exception:  # noqa: BLE001 (logging must not break the stage)
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
    global _handler
    conn = Connection(int(os.environ.pop(FD_VARIABLE)), readable=False)
    parent, level, duckdb_mb, target, args, kwargs = pickle.loads(sys.stdin.buffer.read())
    _die_with(parent)
    for s in _FORWARDED:  # until the module is imported, an interrupt ends us quietly
        signal.signal(s, lambda signum, frame: os._exit(128 + signum))
    handler = _handler = _PipeHandler(conn)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    set_memory(duckdb_mb)
    module, _, function = target.partition(":")
    try:
        call = getattr(importlib.import_module(module), function)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # from now on, as in the parent (Scrapy sets its own)
        outcome: tuple[str, Any] = ("result", call(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 (raised again in the parent)
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001
            exc = ChildError(f"{type(exc).__name__}: {exc}")
        outcome = ("error", exc)
    handler.acquire()  # not in the middle of a record another thread is sending
    try:
        conn.send(outcome)
        root.removeHandler(handler)  # what is logged on the way out goes to stderr
        _handler = None
    finally:
        handler.release()
    conn.close()
