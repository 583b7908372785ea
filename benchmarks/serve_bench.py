#!/usr/bin/env python3
"""Time `salon serve` from saving a note to the new page being served, and `salon build`
with nothing changed.

    python benchmarks/serve_bench.py [--sizes 1000 10000] [--edits 15] [--json FILE]

For each size N it takes the same generated salon as build_bench.py (made once, cached under
--work), starts `salon serve --offline --port 0` as a subprocess, exactly as a user runs it,
and waits for it to serve. Then, --edits times, it changes the last line of the middle note
(as build_bench's one-edit run does) and polls the note's URL every millisecond until the
new line is served: edit-to-served is the time from the write returning to that response. It
also keeps what the server printed for each rebuild (pages rendered, its own milliseconds).
Finally it runs `salon build --offline` once to bring site/ up to date and times the same
command again, --edits times: the no-change build.

Standard library only. The figures include watchdog's notice, the preview's debounce
(serve.DEBOUNCE), the incremental rebuild, the write and one HTTP request.
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchlib import salon_command  # beside this script
from build_bench import (
    DEFAULT_MAKE_SALON,
    DEFAULT_NOW,
    DEFAULT_WORK,
    edit_last_line,
    ensure_corpus,
    middle_file,
)

TARGETS = {1000: 0.2, 10000: 1.0}  # edit-to-served, seconds (issue 4)
_SERVING = re.compile(r"^serving (http://\S+)")
_REBUILT = re.compile(r"rendered (\d+) of (\d+) pages in (\d+) ms")
_SLUG = re.compile(r"^slug:\s*(\S+)\s*$", re.MULTILINE)


class Server:
    """`salon serve` in a child process, its output read line by line on a thread."""

    def __init__(self, argv: list[str], cwd: Path, timeout: float) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for(_SERVING, timeout).group(1)
        self.startup = time.perf_counter() - started

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def _wait_for(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if (m := pattern.search(line)) is not None:
                return m
        raise SystemExit(f"salon serve did not print {pattern.pattern!r} in {timeout} s")

    def rebuilt(self, timeout: float) -> tuple[int, int, int]:
        m = self._wait_for(_REBUILT, timeout)
        return int(m.group(1)), int(m.group(2)), int(m.group(3))

    def stop(self) -> None:
        self.proc.send_signal(2)  # SIGINT: Ctrl-C
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as e:
        return e.read()


def edit_to_served(target: Path, url: str, mark: str, timeout: float) -> float:
    needle = mark.encode()
    edit_last_line(target, mark)
    started = time.perf_counter()
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if needle in fetch(url):
            return time.perf_counter() - started
        time.sleep(0.001)
    raise SystemExit(f"{url} did not show the edit within {timeout} s")


def no_change_builds(salon: list[str], corpus: Path, now: str, runs: int) -> list[float]:
    build = [*salon, "build", "--offline", "--now", now]
    subprocess.run(build, cwd=corpus, check=True, capture_output=True)  # bring site/ up to date
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(build, cwd=corpus, check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if "up to date" not in done.stdout + done.stderr:
            raise SystemExit(f"expected a no-change build, got:\n{done.stdout}{done.stderr}")
    return times


def bench_size(count: int, a: argparse.Namespace, salon: list[str]) -> dict[str, object]:
    corpus = ensure_corpus(a.work, count, a.make_salon, a.timeout)
    target = middle_file(corpus / "content" / "notes")
    slug = _SLUG.search(target.read_text(encoding="utf-8"))
    if slug is None:
        raise SystemExit(f"{target} has no slug: line")
    original = target.read_bytes()
    print(f"\n{count} posts: {corpus}  (editing {target.name})", flush=True)
    server = Server(
        [*salon, "serve", "--offline", "--port", "0", "--now", a.now], corpus, a.timeout
    )
    seconds: list[float] = []
    rebuilds: list[tuple[int, int, int]] = []
    try:
        url = server.url.rstrip("/") + f"/notes/{slug.group(1)}/"
        if b"<html" not in fetch(url):
            raise SystemExit(f"{url} is not a page")
        for i in range(a.edits):
            took = edit_to_served(target, url, f"serve-bench edit {i} at {time.time()}", a.timeout)
            rebuilds.append(server.rebuilt(a.timeout))
            seconds.append(took)
            print(
                f"  edit {i + 1}: served after {took * 1000:.0f} ms "
                f"(the server rendered {rebuilds[-1][0]} of {rebuilds[-1][1]} pages "
                f"in {rebuilds[-1][2]} ms)",
                flush=True,
            )
            time.sleep(0.3)
    finally:
        server.stop()
        target.write_bytes(original)
    no_change = no_change_builds(salon, corpus, a.now, a.edits)
    return {
        "posts": count,
        "pages": rebuilds[0][1] if rebuilds else None,
        "startup_s": server.startup,
        "edit_to_served_s": seconds,
        "server_rebuild_ms": [r[2] for r in rebuilds],
        "pages_rendered": [r[0] for r in rebuilds],
        "no_change_build_s": no_change,
    }


def summary(results: list[dict[str, object]]) -> None:
    print(
        "\n| posts | pages | serve start | edit-to-served median (max) | target | "
        "server's rebuild median | pages rendered | no-change build |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        e2s = [float(x) for x in r["edit_to_served_s"]]  # type: ignore[attr-defined]
        reb = [float(x) for x in r["server_rebuild_ms"]]  # type: ignore[attr-defined]
        nc = [float(x) for x in r["no_change_build_s"]]  # type: ignore[attr-defined]
        rendered = sorted(set(r["pages_rendered"]))  # type: ignore[call-overload]
        target = TARGETS.get(int(r["posts"]))  # type: ignore[call-overload]
        print(
            f"| {r['posts']:,} | {r['pages']:,} | {float(r['startup_s']):.2f} s "  # type: ignore[arg-type]
            f"| {statistics.median(e2s) * 1000:.0f} ms ({max(e2s) * 1000:.0f} ms) "
            f"| {f'{target * 1000:.0f} ms' if target else '-'} "
            f"| {statistics.median(reb):.0f} ms | {', '.join(map(str, rendered))} "
            f"| {statistics.median(nc):.3f} s |"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--edits", type=int, default=15, help="edits per size (and no-change runs)")
    p.add_argument("--salon", default="salon", help="the salon command to measure")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where corpora are kept")
    p.add_argument("--make-salon", type=Path, default=DEFAULT_MAKE_SALON)
    p.add_argument("--now", default=DEFAULT_NOW)
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--json", type=Path, help="also write every figure here")
    a = p.parse_args(argv)
    if not a.make_salon.is_file():
        a.make_salon = None  # build_bench's own generator: the same shape of salon
    salon, version = salon_command(a.salon, a.timeout)
    print(f"{version}, Python {sys.version.split()[0]}")
    results = [bench_size(n, a, salon) for n in a.sizes]
    summary(results)
    if a.json:
        a.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
