"""The measuring parts of `make loadtest`: a small keep-alive HTTP/1.1 driver and the figures.

The driver is asyncio over raw sockets in one thread, with no client library in between: on
this 2-core machine the load generator competes with gunicorn for CPU, and every microsecond it
spends per request is a microsecond the server does not get. Each run also reports what the
generator itself used (``generator_cpu_pct``, ``generator_cpu_ms_per_req``), what gunicorn and
PostgreSQL used per request, so a figure can be read against what was left for the server.

Two ways to drive:
- closed loop (``closed_loop``): N connections, each sends its next request as soon as the
  previous answer is read, no think time — the rate the server sustains is its capacity;
- open loop (``open_loop``): requests leave at a fixed rate whatever the answers do, latency
  counted from the moment each was due (a slow answer cannot hide the requests it delayed).

The pure parts (``percentile``, ``summary``, ``with_ratios``, ``rss_growth_mb``, ``result_line``)
are tested in tests/loadtest/test_loadtest.py.
"""

import asyncio
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

RUNS = ("think", "saturation", "soak")
PAGES = ("file", "list", "search", "dashboard", "healthz")
MIB = 1024 * 1024


# ---------------------------------------------------------------- figures (pure)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of *values* (need not be sorted): the smallest value that at least
    q % of the values are less than or equal to. 0.0 for no values."""
    if not 0 < q <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {q}")
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(latencies_s: list[float], errors: int, seconds: float) -> dict:
    """rps (answered requests a second, errors not counted), p50/p99 in ms, errors."""
    return {
        "rps": round(len(latencies_s) / seconds, 1) if seconds > 0 else 0.0,
        "p50_ms": round(percentile(latencies_s, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies_s, 99) * 1000, 1),
        "errors": errors,
    }


def result_line(run: str, page: str, connections: int, figures: dict, **extra) -> dict:
    """One output object: run, page, connections, rps, p50_ms, p99_ms, errors, then *extra*."""
    if run not in RUNS:
        raise ValueError(f"run must be one of {RUNS}, not {run!r}")
    if page not in PAGES:
        raise ValueError(f"page must be one of {PAGES}, not {page!r}")
    line = {"run": run, "page": page, "connections": connections}
    line.update({key: figures[key] for key in ("rps", "p50_ms", "p99_ms", "errors")})
    line.update(extra)
    return line


def with_ratios(lines: list[dict]) -> list[dict]:
    """Saturation lines with ``ratio_to_healthz``: this page's rps ÷ /healthz's at the same
    connections in the same list (None when that /healthz figure is missing or zero)."""
    reference = {line["connections"]: line["rps"] for line in lines if line["run"] == "saturation"
                 and line["page"] == "healthz"}  # fmt: skip
    out = []
    for line in lines:
        if line["run"] == "saturation":
            healthz = reference.get(line["connections"])
            line = {**line, "ratio_to_healthz": round(line["rps"] / healthz, 3) if healthz else None}
        out.append(line)
    return out


def rss_growth_mb(samples: dict[int, list[tuple[float, int]]], settle_s: float = 30.0) -> float:
    """The largest growth of one worker's resident memory (MiB): for each worker process (by pid)
    its last sample less its first, counting only samples taken once the worker was *settle_s*
    old (a worker grows while it loads the code, templates and connections its first requests
    need: that is its warm-up, not a leak). A worker recycled by gunicorn (max_requests) is a
    new pid, counted once it has settled in its turn. *samples* are (age in s, RSS in bytes).
    0.0 when no worker was sampled twice after settling."""
    growths = []
    for series in samples.values():
        settled = [rss for age, rss in series if age >= settle_s]
        if len(settled) >= 2:
            growths.append(settled[-1] - settled[0])
    return round(max(growths) / MIB, 1) if growths else 0.0


def dumps(line: dict) -> str:
    return json.dumps(line, ensure_ascii=False)


# ---------------------------------------------------------------- HTTP/1.1 over keep-alive sockets


class Stale(Exception):
    """A reused keep-alive connection was closed before any byte of the answer came back."""


@dataclass
class Answer:
    status: int
    body: bytes


def request_bytes(host: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


class Connection:
    """One keep-alive connection; reopened when the server closes it."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = False

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
        self.used = False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, raw: bytes) -> Answer:
        """Send one request; a stale reused connection is reopened and the GET sent once more
        (what every HTTP client does for an idempotent request, e.g. when a gunicorn worker is
        recycled between two requests). Any other failure raises."""
        try:
            return await asyncio.wait_for(self._exchange(raw), self.timeout)
        except Stale:
            self.close()
            return await asyncio.wait_for(self._exchange(raw), self.timeout)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, raw: bytes) -> Answer:
        if self.writer is None:
            await self._open()
        reused = self.used
        self.used = True
        try:
            self.writer.write(raw)
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            if reused and not getattr(exc, "partial", b""):
                raise Stale from exc
            raise
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for header in header_lines:
            if header:
                name, _, value = header.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:  # no length: the body ends with the connection
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, body)

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers are sent by gunicorn
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def page_ok(answer: Answer) -> bool:
    """A signed-in page: 200 and an HTML document (a redirect to the login page is an error)."""
    return answer.status == 200 and b"<html" in answer.body


def health_ok(answer: Answer) -> bool:
    return answer.status == 200


# ---------------------------------------------------------------- CPU of the processes involved


@dataclass
class CpuMeter:
    """CPU seconds used by this process, gunicorn (master and workers) and given PostgreSQL
    backends over a window. Sampled repeatedly so that a worker recycled in the window still
    counts up to its last sample."""

    gunicorn_pid: int
    backend_pids: Callable[[], list[int]] = list
    seen: dict[tuple[str, int], list[float]] = field(default_factory=dict)  # (kind, pid) -> [first, last]
    started: float = 0.0
    own_started: float = 0.0
    starting: bool = False

    def _processes(self):
        import psutil

        try:
            master = psutil.Process(self.gunicorn_pid)
            server = [master, *master.children(recursive=True)]
        except psutil.NoSuchProcess:
            server = []
        database = []
        for pid in self.backend_pids():
            try:
                database.append(psutil.Process(pid))
            except psutil.NoSuchProcess:
                continue
        return [("gunicorn", p) for p in server] + [("postgres", p) for p in database]

    def sample(self) -> None:
        import psutil

        for kind, process in self._processes():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            used = times.user + times.system
            key = (kind, process.pid)
            if key in self.seen:
                self.seen[key][1] = used
            else:  # there at start() counts from then; born in the window (a recycled worker, a new backend), from 0
                self.seen[key] = [used if self.starting else 0.0, used]

    def start(self) -> None:
        self.seen.clear()
        self.started = time.monotonic()
        self.own_started = time.process_time()
        self.starting = True
        self.sample()
        self.starting = False

    def stop(self, requests: int) -> dict:
        self.sample()
        wall = time.monotonic() - self.started
        own = time.process_time() - self.own_started
        used = {"gunicorn": 0.0, "postgres": 0.0}
        for (kind, _pid), (first, last) in self.seen.items():
            used[kind] += last - first

        def per_request(seconds: float) -> float | None:
            return round(seconds * 1000 / requests, 2) if requests else None

        return {
            "generator_cpu_pct": round(own / wall * 100, 1) if wall else None,
            "generator_cpu_ms_per_req": per_request(own),
            "gunicorn_cpu_ms_per_req": per_request(used["gunicorn"]),
            "postgres_cpu_ms_per_req": per_request(used["postgres"]),
        }


# ---------------------------------------------------------------- drivers


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    messages: dict[str, int] = field(default_factory=dict)

    def error(self, message: str) -> None:
        self.errors += 1
        self.messages[message] = self.messages.get(message, 0) + 1


async def _one(connection: Connection, raw: bytes, ok: Callable[[Answer], bool]) -> str | None:
    """None when the answer is right, else what went wrong."""
    try:
        answer = await connection.get(raw)
    except TimeoutError:
        return "timeout"
    except (OSError, asyncio.IncompleteReadError, ValueError, Stale) as exc:
        return type(exc).__name__
    if not ok(answer):
        return f"status {answer.status}" if answer.status != 200 else "not a page"
    return None


async def closed_loop(host: str, port: int, requests: list[Iterator[bytes]], ok: Callable[[Answer], bool],
                      warmup: float, seconds: float, meter: CpuMeter | None = None,
                      timeout: float = 30.0) -> tuple[Tally, dict]:  # fmt: skip
    """One coroutine per connection (``requests[i]`` yields connection i's requests), each sending
    its next request when the previous answer is in. Answers completed during the *seconds*
    after *warmup* are counted. Returns the tally and the CPU figures of that window."""
    tally = Tally()
    loop = asyncio.get_running_loop()
    begin = loop.time() + warmup
    end = begin + seconds

    async def connection_loop(source: Iterator[bytes]) -> None:
        connection = Connection(host, port, timeout)
        try:
            while loop.time() < end:
                sent = loop.time()
                problem = await _one(connection, next(source), ok)
                done = loop.time()
                if begin <= done < end:
                    if problem is None:
                        tally.latencies.append(done - sent)
                    else:
                        tally.error(problem)
        finally:
            connection.close()

    async def window() -> dict:
        await asyncio.sleep(max(0.0, begin - loop.time()))
        if meter:
            meter.start()
        while loop.time() < end:
            await asyncio.sleep(min(1.0, max(0.0, end - loop.time())))
            if meter:
                meter.sample()
        return meter.stop(len(tally.latencies) + tally.errors) if meter else {}

    cpu, *_ = await asyncio.gather(window(), *(connection_loop(source) for source in requests))
    return tally, cpu


async def open_loop(host: str, port: int, requests: Iterator[bytes], ok: Callable[[Answer], bool], rate: float,
                    warmup: float, seconds: float, max_in_flight: int = 64, timeout: float = 30.0,
                    every: float = 5.0, on_tick: Callable[[float, Tally], None] | None = None,
                    ) -> tuple[Tally, int]:  # fmt: skip
    """Requests leave at *rate* a second for *warmup* + *seconds*, each on an idle connection
    (opened when none is idle, up to *max_in_flight*: past that a request due is counted as an
    error, the generator does not wait). Latency runs from when a request was due. *on_tick*
    is called about every *every* seconds (the soak samples memory and connections there).
    Returns the tally of the measured part and the number of connections opened."""
    tally = Tally()
    loop = asyncio.get_running_loop()
    start = loop.time()
    begin = start + warmup
    total = int((warmup + seconds) * rate)
    idle: list[Connection] = []
    opened = 0
    in_flight: set[asyncio.Task] = set()

    async def fire(raw: bytes, due: float) -> None:
        nonlocal opened
        if idle:
            connection = idle.pop()
        else:
            connection = Connection(host, port, timeout)
            opened += 1
        problem = await _one(connection, raw, ok)
        done = loop.time()
        idle.append(connection)
        if due >= begin:
            if problem is None:
                tally.latencies.append(done - due)
            else:
                tally.error(problem)

    next_tick = begin
    for index in range(total):
        due = start + index / rate
        now = loop.time()
        if due > now:
            await asyncio.sleep(due - now)
        if on_tick and loop.time() >= next_tick:
            on_tick(loop.time() - begin, tally)
            next_tick += every
        raw = next(requests)
        if len(in_flight) >= max_in_flight:
            if due >= begin:
                tally.error("generator at its in-flight limit")
            continue
        task = asyncio.ensure_future(fire(raw, due))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.wait(in_flight, timeout=timeout + 5)
    if on_tick:
        on_tick(loop.time() - begin, tally)
    for connection in idle:
        connection.close()
    return tally, opened
