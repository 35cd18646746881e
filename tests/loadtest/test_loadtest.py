"""`make loadtest`'s instrument: the figures it computes, its HTTP driver against a local server,
and (on PostgreSQL) a short real saturation run of gunicorn with the production settings."""

import asyncio
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from loadtest import measure, run

ROOT = Path(__file__).resolve().parent.parent.parent
MIB = 1024 * 1024


# ---------------------------------------------------------------- the figures


def test_percentiles_are_nearest_rank_of_the_unsorted_values():
    values = [float(v) for v in range(100, 0, -1)]  # 100 … 1

    assert measure.percentile(values, 50) == 50.0
    assert measure.percentile(values, 99) == 99.0
    assert measure.percentile(values, 100) == 100.0
    assert measure.percentile([7.0], 99) == 7.0
    assert measure.percentile([1.0, 2.0, 3.0, 1000.0], 99) == 1000.0  # one slow answer in four is the p99
    assert measure.percentile([], 50) == 0.0


def test_a_percentile_outside_0_to_100_is_refused():
    with pytest.raises(ValueError):
        measure.percentile([1.0], 0)


def test_the_summary_counts_answers_a_second_and_reports_milliseconds():
    figures = measure.summary([0.010] * 98 + [0.200, 0.500], errors=3, seconds=4)

    assert figures == {"rps": 25.0, "p50_ms": 10.0, "p99_ms": 200.0, "errors": 3}


def test_a_line_carries_the_issue_keys_first_then_the_extras():
    figures = {"rps": 12.5, "p50_ms": 40.0, "p99_ms": 90.0, "errors": 0, "ignored": 1}

    line = measure.result_line("soak", "file", 6, figures, minutes=2, rss_growth_mb=1.5)

    assert list(line) == ["run", "page", "connections", "rps", "p50_ms", "p99_ms", "errors", "minutes",
                          "rss_growth_mb"]  # fmt: skip
    assert json.loads(measure.dumps(line)) == line


@pytest.mark.parametrize(("run_name", "page"), [("warmup", "file"), ("saturation", "home")])
def test_a_line_of_an_unknown_run_or_page_is_refused(run_name, page):
    with pytest.raises(ValueError):
        measure.result_line(run_name, page, 8, {"rps": 1, "p50_ms": 1, "p99_ms": 1, "errors": 0})


def _line(run_name, page, connections, rps):
    return measure.result_line(run_name, page, connections, {"rps": rps, "p50_ms": 1, "p99_ms": 2, "errors": 0})


def test_the_ratio_is_to_healthz_at_the_same_connections():
    lines = [_line("saturation", "healthz", 8, 200.0), _line("saturation", "file", 8, 50.0),
             _line("saturation", "healthz", 16, 250.0), _line("saturation", "file", 16, 100.0),
             _line("saturation", "list", 32, 10.0), _line("think", "file", 50, 4.0)]  # fmt: skip

    ratios = [line.get("ratio_to_healthz", "absent") for line in measure.with_ratios(lines)]

    assert ratios == [1.0, 0.25, 1.0, 0.4, None, "absent"]  # no /healthz at 32: no ratio; think runs have none


def _series(*rss_mib, age=100.0, every=5.0):
    return [(age + index * every, size * MIB) for index, size in enumerate(rss_mib)]


def test_rss_growth_is_the_largest_growth_of_one_worker():
    samples = {
        101: _series(100, 130, 112),  # grew 12 MiB first to last (the peak in between does not count)
        102: _series(90, 95),  # 5 MiB
        103: _series(200),  # a worker sampled once has no growth yet
    }

    assert measure.rss_growth_mb(samples) == 12.0
    assert measure.rss_growth_mb({101: _series(100, 99)}) == -1.0
    assert measure.rss_growth_mb({103: _series(200)}) == 0.0


def test_a_recycled_worker_counts_from_when_it_has_settled():
    # born during the soak (max_requests): 60 MiB at 1 s old, 95 MiB once its first pages loaded, then 97
    recycled = [(1.0, 60 * MIB), (6.0, 80 * MIB), (31.0, 95 * MIB), (36.0, 96 * MIB), (41.0, 97 * MIB)]

    assert measure.rss_growth_mb({104: recycled}, settle_s=30) == 2.0
    assert measure.rss_growth_mb({104: recycled}, settle_s=0) == 37.0


def test_the_soak_needs_a_rate():
    with pytest.raises(SystemExit):
        run.parse_args(["--runs", "soak"])
    assert run.parse_args(["--runs", "soak", "--soak-rps", "5"]).soak_rps == 5.0


def test_soak_minutes_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SOAK_MINUTES", "2")
    monkeypatch.setenv("LOADTEST_DATABASE", "loadtest_mine")

    args = run.parse_args([])

    assert (args.soak_minutes, args.database) == (2.0, "loadtest_mine")
    assert args.runs == ["think", "saturation", "soak"] and args.connections == [8, 16, 32]
    assert (args.workers, args.threads) == (int(os.environ.get("GUNICORN_WORKERS") or 2),
                                            int(os.environ.get("GUNICORN_THREADS") or 2))  # fmt: skip


# ---------------------------------------------------------------- the driver against a local server


class LocalServer:
    """HTTP/1.1 with keep-alive: /page answers an HTML page (with Content-Length or chunked), /away a
    redirect; every connection is closed after *close_after* answers, as a recycled gunicorn worker does."""

    def __init__(self, close_after: int):
        self.close_after = close_after
        self.answered = 0

    async def handle(self, reader, writer):
        try:
            for _ in range(self.close_after):
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ")[1]
                self.answered += 1
                if path == b"/away":
                    writer.write(b"HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Length: 0\r\n\r\n")
                elif self.answered % 2:
                    body = b"<html><body>ok</body></html>"
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"6\r\n<html>\r\n7\r\n</html>\r\n0\r\n\r\n")  # fmt: skip
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


def _drive(close_after, path, run_driver):
    async def main():
        local = LocalServer(close_after)
        server = await asyncio.start_server(local.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            raw = measure.request_bytes(f"127.0.0.1:{port}", path, {"X-Forwarded-Proto": "https"})
            return local, await run_driver(port, raw)

    return asyncio.run(main())


def test_the_closed_loop_counts_right_answers_and_survives_closed_keep_alive_connections():
    def driver(port, raw):
        return measure.closed_loop("127.0.0.1", port, [itertools.repeat(raw)] * 3, measure.page_ok, 0.1, 0.4)

    local, (tally, _cpu) = _drive(3, "/page", driver)

    assert tally.errors == 0, tally.messages
    assert len(tally.latencies) > 10
    assert local.answered >= len(tally.latencies)
    assert all(latency > 0 for latency in tally.latencies)


def test_a_redirect_to_the_login_page_is_an_error():
    def driver(port, raw):
        return measure.closed_loop("127.0.0.1", port, [itertools.repeat(raw)], measure.page_ok, 0.0, 0.2)

    _local, (tally, _cpu) = _drive(100, "/away", driver)

    assert tally.latencies == []
    assert tally.errors > 0 and set(tally.messages) == {"status 302"}


def test_the_open_loop_sends_at_its_rate_and_samples_on_its_ticks():
    ticks = []

    def driver(port, raw):
        return measure.open_loop("127.0.0.1", port, itertools.repeat(raw), measure.page_ok, rate=100, warmup=0.1,
                                 seconds=0.3, every=0.1, on_tick=lambda at, _tally: ticks.append(at))  # fmt: skip

    local, (tally, opened) = _drive(1000, "/page", driver)

    assert tally.errors == 0, tally.messages
    assert local.answered == 40  # (0.1 + 0.3) s × 100 a second, whatever the answers did
    assert len(tally.latencies) == 30  # those due after the warm-up
    assert 1 <= opened <= 40
    assert len(ticks) >= 2


# ---------------------------------------------------------------- a real run, on PostgreSQL


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_short_saturation_run_of_gunicorn_prints_a_line_per_page():
    """gunicorn with the production settings (plain static files: collectstatic takes minutes) on the
    test database, /healthz and the household file at 2 connections for 2 s each."""
    from django.contrib.sessions.models import Session

    env = {key: value for key, value in os.environ.items() if key != "LOADTEST_DATABASE_URL"}
    command = [sys.executable, str(ROOT / "loadtest" / "run.py"), "--database", settings.DATABASES["default"]["NAME"],
               "--settings", "tests.loadtest.settings", "--households", "40", "--runs", "saturation",
               "--pages", "file", "--connections", "2", "--warmup", "0.5", "--duration", "2"]  # fmt: skip

    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(line["run"], line["page"], line["connections"]) for line in lines] == [
        ("saturation", "healthz", 2), ("saturation", "file", 2)]  # fmt: skip
    healthz, file_page = lines
    assert healthz["errors"] == 0 and file_page["errors"] == 0, done.stderr[-3000:]
    assert healthz["rps"] > 0 and file_page["rps"] > 0
    assert healthz["ratio_to_healthz"] == 1.0
    assert file_page["ratio_to_healthz"] == round(file_page["rps"] / healthz["rps"], 3)
    assert 0 < file_page["p50_ms"] <= file_page["p99_ms"]
    assert file_page["gunicorn_cpu_ms_per_req"] > 0 and file_page["generator_cpu_pct"] >= 0
    assert not Session.objects.exists()  # the runner deletes the sessions it signed in
