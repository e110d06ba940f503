"""Extraction in worker processes, so that no input can hang, exhaust memory
or crash the command that reads it.

`ExtractPool` keeps about one forked worker per core and feeds it files one
at a time. Each worker has an address-space cap such that the process tree
(the command and the worker) stays within Limits.memory_mb (see
_worker_budget), and each file a wall-clock limit (Limits.timeout_s); a
worker that runs over, dies or runs out of memory is killed with its whole
process group (LibreOffice included) and replaced, and its file comes back as
failed with a one-line reason (in Chinese, as the user reads it). Workers are
reused, so the cost per file is a pipe round trip, not a process start.
"""
from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Iterable, Iterator

from etl.config import Limits
from etl.document import ExtractError, one_line

_CTX = mp.get_context("fork")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_MARGIN = 48 * 1024 * 1024  # bytes of memory_mb kept for the parent's growth (_worker_budget)


@dataclass
class Task:
    """One file to extract: from `path`, or from `data` (bytes) named `file_name`."""
    name: str                       # shown in failure lines
    path: str | None = None
    data: bytes | None = None
    file_name: str | None = None
    meta: Any = None                # the caller's, never sent to a worker
    extract: bool = True            # False: pass through in order without extracting


@dataclass
class Outcome:
    task: Task
    record: dict | None = None
    reason: str | None = None       # one line, when extraction failed


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def failure_reason(e: BaseException) -> str:
    """A file's failure as one line: an ExtractError's message as is; anything
    else is a fault of the extractor, said so, with 'Type: message' for a technician."""
    if isinstance(e, ExtractError):
        return one_line(str(e)) or "无法读取此文件"
    text = " ".join(str(e).split())
    detail = f"{type(e).__name__}: {text}" if text else type(e).__name__
    return f"读取程序出错，请把此文件交给技术人员处理（{one_line(detail)}）"


def memory_reason(limits: Limits) -> str:
    return f"读取时占用内存超过 {limits.memory_mb:g} MB，已中止"


# ---------------------------------------------------------------------------
# The worker side

def _statm(pid: int | str = "self") -> tuple[int, int]:
    """(address space, resident) bytes of a process, from /proc."""
    with open(f"/proc/{pid}/statm") as f:
        size, resident = f.read().split()[:2]
    return int(size) * _PAGE, int(resident) * _PAGE


def _worker_budget(limits: Limits) -> int:
    """Bytes of address space a fresh worker may add to what it inherited.

    Forked children inherit the parent's mappings (DuckDB reserves hundreds
    of MB of address space), so the cap is what we may add: memory_mb less
    what the parent and the worker already hold resident, so that the tree's
    resident total stays within memory_mb (resident memory never exceeds the
    address space), less a margin for what the parent and the worker's own
    bookkeeping add meanwhile (without it a 190 MB document.xml peaked 2 MB
    over). At least half of memory_mb, for a parent already large (a test run).
    """
    total = int(limits.memory_mb * 1024 * 1024)
    held = _statm()[1]
    try:
        held += _statm(os.getppid())[1]
    except (OSError, ValueError):
        pass
    return max(total - held - _MARGIN, total // 2)


def _worker_main(conn: Connection, inherited: list[Connection], limits: Limits) -> None:
    # Own process group: a kill reaches any converter (soffice) it started;
    # Ctrl-C in the terminal reaches only the parent, which then ends us.
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for c in inherited:  # the parent's ends of other workers' pipes
        c.close()
    faulthandler.disable()  # a crash is reported by the parent as one line, not a C stack dump
    try:
        import resource
        cap = _statm()[0] + _worker_budget(limits)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, OSError, ValueError):
        pass
    # Imported by the parent before the fork, so this is a lookup; the
    # functions are looked up per call, so tests can monkeypatch them.
    from etl import extract
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        index, path, data, file_name = msg
        retire = False
        try:
            if data is None:
                reply = (index, extract.extract_file(path, limits), None)
            else:
                reply = (index, extract.extract_bytes(data, file_name, limits), None)
        except MemoryError:
            reply, retire = (index, None, memory_reason(limits)), True
        except BaseException as e:  # noqa: BLE001 - any failure is the file's, as one line
            reply = (index, None, failure_reason(e))
        del msg, data
        try:
            try:
                conn.send(reply)  # pickled whole before a byte is written
            except MemoryError:
                conn.send((index, None, memory_reason(limits)))
                retire = True
            except OSError:
                raise
            except Exception as e:  # e.g. a record that does not pickle
                conn.send((index, None, f"读取结果无法传回（{one_line(f'{type(e).__name__}: {e}')}）"))
        except OSError:  # the parent is gone
            return
        if retire:  # the heap may be in a bad state after MemoryError
            return


# ---------------------------------------------------------------------------
# The parent side

def _child_groups(pid: int) -> set[int]:
    """The process groups of `pid`'s children other than its own and ours (Linux /proc)."""
    groups: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    try:
                        groups.add(os.getpgid(int(child)))
                    except OSError:
                        pass
    except (OSError, ValueError):
        pass
    return groups - {pid, os.getpgrp()}


class _Worker:
    def __init__(self, limits: Limits, others: list[Connection]):
        # Unflushed output would be written twice: once more by the child.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, ValueError, OSError):
                pass
        self.conn, child = _CTX.Pipe(duplex=True)
        self.proc = _CTX.Process(target=_worker_main, args=(child, others + [self.conn], limits),
                                 daemon=True, name="etl-extract")
        self.proc.start()
        child.close()
        try:
            os.setpgid(self.proc.pid, self.proc.pid)  # also here: whichever runs first
        except OSError:
            pass
        self.job: tuple[int, Task] | None = None
        self.deadline = 0.0

    def kill(self) -> None:
        # A LibreOffice conversion runs in a process group of its own
        # (etl/readers/office.py): its group goes too, found before the worker
        # dies and its children are handed to init.
        converters = _child_groups(self.proc.pid)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            try:
                self.proc.kill()
            except OSError:
                pass
        for group in converters:
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()

    def death_reason(self, limits: Limits) -> str:
        self.proc.join(2)
        code = self.proc.exitcode
        if code is not None and code < 0:
            if -code == signal.SIGKILL:  # not ours: the kernel's OOM killer, most likely
                return "读取进程被系统强行终止（可能内存不足），已中止"
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"读取程序崩溃（{name}），请把此文件交给技术人员处理"
        return f"读取程序意外退出（退出码 {code}），请把此文件交给技术人员处理"


class ExtractPool:
    """Worker processes that extract files in parallel, with limits.

    with ExtractPool(limits) as pool:
        for outcome in pool.map(tasks):   # outcomes in the order of tasks
            ...
    """

    def __init__(self, limits: Limits = Limits(), workers: int | None = None,
                 max_pending_bytes: int = 256 * 1024 * 1024):
        self.limits = limits
        self.size = max(1, workers or default_workers())
        self.max_pending_bytes = max_pending_bytes
        self.workers: list[_Worker] = []

    def __enter__(self) -> "ExtractPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Fork all workers now (before the parent grows threads or memory)."""
        while len(self.workers) < self.size:
            self._spawn()

    def _spawn(self) -> _Worker:
        import etl.extract  # noqa: F401 - once here, shared by every fork
        w = _Worker(self.limits, [x.conn for x in self.workers])
        self.workers.append(w)
        return w

    def _retire(self, w: _Worker, kill: bool) -> None:
        self.workers.remove(w)
        w.kill() if kill else w.stop()

    def close(self) -> None:
        for w in list(self.workers):
            self._retire(w, kill=w.job is not None)

    def map(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        """Extract `tasks`, yielding one Outcome per task in the tasks' order.

        Tasks are pulled lazily, at most a few per worker (and about
        `max_pending_bytes` of data) ahead of the one being yielded.
        """
        source = iter(tasks)
        exhausted = False
        queue: deque[tuple[int, Task]] = deque()
        done: dict[int, Outcome] = {}
        sizes: dict[int, int] = {}
        next_in = next_out = 0
        window = 4 * self.size
        timeout = self.limits.timeout_s

        def pending_bytes() -> int:
            return sum(sizes.values())

        while True:
            while (not exhausted and next_in - next_out < window
                   and (next_in == next_out or pending_bytes() < self.max_pending_bytes)):
                try:
                    task = next(source)
                except StopIteration:
                    exhausted = True
                    break
                sizes[next_in] = len(task.data or b"")
                if task.extract:
                    queue.append((next_in, task))
                else:
                    done[next_in] = Outcome(task)
                next_in += 1

            while queue:
                idle = next((w for w in self.workers if w.job is None), None)
                if idle is None:
                    if len(self.workers) >= self.size:
                        break
                    idle = self._spawn()
                index, task = queue.popleft()
                try:
                    idle.conn.send((index, task.path, task.data, task.file_name))
                except (OSError, ValueError):  # a worker that died idle
                    self._retire(idle, kill=True)
                    queue.appendleft((index, task))
                    continue
                idle.job, idle.deadline = (index, task), time.monotonic() + timeout

            while next_out in done:
                outcome = done.pop(next_out)
                sizes.pop(next_out, None)
                next_out += 1
                yield outcome
            if exhausted and next_out == next_in:
                return

            busy = [w for w in self.workers if w.job is not None]
            if not busy:
                continue
            wait_s = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = set(wait([w.conn for w in busy], timeout=wait_s))
            now = time.monotonic()
            for w in busy:
                index, task = w.job
                if w.conn in ready or w.conn.poll(0):
                    try:
                        _, record, reason = w.conn.recv()
                    except Exception:  # EOF or a half-sent reply: the worker died
                        done[index] = Outcome(task, reason=w.death_reason(self.limits))
                        self._retire(w, kill=True)
                        continue
                    done[index] = Outcome(task, record, reason)
                    w.job = None
                    if reason == memory_reason(self.limits):  # the worker retires itself
                        self._retire(w, kill=True)
                elif now >= w.deadline:
                    done[index] = Outcome(task, reason=f"处理超时（超过 {timeout:g} 秒），已中止")
                    self._retire(w, kill=True)


def extract_isolated(path: str | None = None, data: bytes | None = None, file_name: str | None = None,
                     limits: Limits = Limits()) -> dict:
    """Extract one file in a fresh worker; raises ExtractError with the one-line reason."""
    task = Task(name=file_name or path or "file", path=path, data=data, file_name=file_name)
    with ExtractPool(limits, workers=1) as pool:
        outcome = next(pool.map([task]))
    if outcome.reason is not None:
        raise ExtractError(outcome.reason)
    return outcome.record
