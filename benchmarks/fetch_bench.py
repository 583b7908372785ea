#!/usr/bin/env python3
"""Time following at scale: `salon fetch` and `salon build` against feeds on 127.0.0.1.

    python benchmarks/fetch_bench.py [--feeds 200] [--entries 50] [--runs 3] [--json FILE]

It serves F feeds of E entries from a loopback HTTP server of its own (ETag and
Last-Modified, 304 to matching validators), makes a salon that follows them (one person per
feed, `[fetch] concurrency = 8`), and runs, --runs times in turn, each run from a clean
`.salon/` and `site/`:

  1. fetch + build: `salon build --now T`, both stages in one command, on a clean state;
  2. cold fetch: `salon fetch --now T` on a clean state (every feed 200, parsed, stored),
     then `salon build --offline --now T`;
  3. no-change build: `salon build --now T+5min`, nothing due and nothing changed;
  4. all-304 round: `salon fetch --force --now T+10min`, every feed answers 304;
  5. same-body round: `salon fetch --force --now T+15min` with the server ignoring the
     validators and sending the same bytes with 200: salon must see the body hash and not
     parse again;
  6. the build after those rounds: `salon build --now T+20min`, nothing due, no entry changed.

It prints the median of each figure, the raw figures of every run, the entries stored and
the store's size, and checks that the server saw what each step should cause (200 answers,
then 304s, then nothing).

Standard library only. `salon` runs as a subprocess, exactly as a user runs it, so every
figure includes interpreter start-up and imports. Each command is one child process reaped
with os.wait4, so its CPU time and peak memory are its own (worker processes included once
they are joined; peak memory never below this script's own peak, see `Measure.floor_mb`).
The server runs in a thread of this process, so its work is never counted as salon's.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import hashlib
import html
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchlib import salon_command  # beside this script

REPO = Path(__file__).resolve().parent.parent
DEFAULT_GENERATOR = REPO.parent / "shared" / "bench" / "generate_corpus.py"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "salon-fetch-bench"
DEFAULT_NOW = "2026-11-22T00:00:00Z"
ALL_304_TARGET = 2.0  # seconds for a round where every feed answers 304
CORPUS_DONE = ".bench-corpus.json"  # written last: a feed folder without it is incomplete
HOST = "127.0.0.1"
LAST_MODIFIED = email.utils.formatdate(1_717_243_200, usegmt=True)  # 2024-06-01T12:00Z
HANDLER_TIMEOUT = 30.0  # seconds a connection may sit idle before the server drops it
SUMMARY = re.compile(
    r"(?P<due>\d+) feeds due: (?P<fetched>\d+) fetched, (?P<unchanged>\d+) unchanged, "
    r"(?P<failed>\d+) failed; (?P<added>\d+) new entries, (?P<updated>\d+) updated"
)
# --------------------------------------------------------------------------------------------
# Running one measured command
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    wall: float  # seconds, start to exit
    cpu: float  # user + system seconds of the child and the children it waited for
    peak_mb: float  # largest resident set of any one process of the command (wait4 ru_maxrss)
    # This script's own peak resident set when it started the command. Linux carries the
    # peak of the process that forks into the child's ru_maxrss (the memory map it copies
    # or borrows keeps its high-water mark through exec), so peak_mb is never below this:
    # that is why the script keeps no feed in memory.
    floor_mb: float


class CommandFailed(Exception):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One command of a run, and what it must cause."""

    key: str  # its name in the JSON
    label: str
    args: tuple[str, ...]  # after `salon`; `--now T+minutes` is added
    minutes: int = 0
    clean: bool = False  # start from an empty .salon/ and no site/
    same_body: bool = False  # the server ignores validators: 200 with the same bytes
    sends: str | None = None  # the status the server must send every feed; None: no request
    # Fields of salon's `N feeds due: ...` line that must equal the number of feeds ("all")
    # or 0 ("none"); None: the command fetches nothing and prints no such line.
    report: tuple[tuple[str, str], ...] | None = None

    def command(self) -> str:
        when = f"T+{self.minutes}m" if self.minutes else "T"
        return shlex.join(["salon", *self.args, "--now", when])


STEPS = (
    Step(
        key="combined",
        label="clean fetch + build",
        args=("build",),
        clean=True,
        sends="200",
        report=(("fetched", "all"), ("failed", "none")),
    ),
    Step(
        key="cold_fetch",
        label="cold fetch",
        args=("fetch",),
        clean=True,
        sends="200",
        report=(("fetched", "all"), ("failed", "none")),
    ),
    Step(key="cold_build", label="build --offline", args=("build", "--offline")),
    Step(
        key="no_change",
        label="no-change build",
        args=("build",),
        minutes=5,
        report=(("due", "none"),),
    ),
    Step(
        key="all_304",
        label="all-304 fetch",
        args=("fetch", "--force"),
        minutes=10,
        sends="304",
        report=(("unchanged", "all"), ("fetched", "none")),
    ),
    Step(
        key="same_body",
        label="same-body fetch",
        args=("fetch", "--force"),
        minutes=15,
        same_body=True,
        sends="200",
        report=(("unchanged", "all"), ("fetched", "none")),
    ),
    Step(
        key="after_rounds",
        label="build after rounds",
        args=("build",),
        minutes=20,
        report=(("due", "none"),),
    ),
)


def run_measured(argv: list[str], cwd: Path, timeout: float) -> tuple[Measure, str]:
    """Run `argv` in `cwd`; return its figures and its output. Killed (with every process it
    started) after `timeout` seconds; raises CommandFailed on a timeout or a non-zero exit."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB (Linux), B (mac)
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        # A session of its own, so a timeout or Ctrl-C can end its worker processes too.
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            kill()
            proc.wait(timeout=30)
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        with contextlib.suppress(OSError):  # no worker may outlive the measurement
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if timed_out.is_set():
        raise CommandFailed(f"timed out after {timeout:.0f} s: {shlex.join(argv)} (in {cwd})")
    if proc.returncode != 0:
        raise CommandFailed(
            f"exit {proc.returncode}: {shlex.join(argv)} (in {cwd})\n{text[-3000:]}"
        )
    return Measure(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / scale,
        floor_mb=floor,
    ), text


# --------------------------------------------------------------------------------------------
# The feeds
# --------------------------------------------------------------------------------------------

_VOCABULARY = """
the of and to in is that for it as was with by on not this are or from at which but have
an they you were there one all we their has would when if so no will more can out up about
into them then some could time only other new like these than two may first any my now such
over our even most made after also did many well where through back much before must way
right still good should because each people those very how under between work system data
code build page site feed post note link reader writer index tree cache file value parse
render template output input change simple small large fast slow last early late open close
read write start stop test check error event stream queue worker server client request memory
garden kitchen morning evening weekend travel coffee bread music book film river mountain
city street window light shadow winter summer spring autumn idea draft essay thought question
answer reason result approach measure number figure chart sample signal noise pattern trend
"""
_TAG_NAMES = "python web rss indieweb writing reading books sqlite design travel cooking music"
_WORDS = _VOCABULARY.split()
_TAGS = _TAG_NAMES.split()


def _words(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(lo, hi)))


def _sentence(rng: random.Random, host: str) -> str:
    words = _words(rng, 8, 18).split()
    i = rng.randrange(len(words))
    style = rng.random()
    if style < 0.1:
        words[i] = f'<a href="https://{host}/{rng.choice(_WORDS)}/">{words[i]}</a>'
    elif style < 0.2:
        words[i] = f"<em>{words[i]}</em>"
    elif style < 0.25:
        words[i] = f"<code>{words[i]}()</code>"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _entry_html(rng: random.Random, host: str) -> str:
    parts = [f"<p>{' '.join(_sentence(rng, host) for _ in range(4))}</p>"]
    parts.append(f"<h2>{_words(rng, 3, 6).capitalize()}</h2>")
    parts.append("<ul>" + "".join(f"<li>{_words(rng, 4, 10)}</li>" for _ in range(4)) + "</ul>")
    parts.append(
        "<pre><code>def "
        + rng.choice(_WORDS)
        + "(items):\n    return sorted(x for x in items if x &gt; "
        + str(rng.randint(1, 500))
        + ")</code></pre>"
    )
    for _ in range(rng.randint(3, 6)):
        parts.append(f"<p>{' '.join(_sentence(rng, host) for _ in range(5))}</p>")
    return "\n".join(parts)


def builtin_feed(index: int, entries: int, rng: random.Random) -> bytes:
    """One RSS 2.0 feed of `entries` items with HTML content, newest first."""
    host = f"feed{index:03d}.example.net"
    base = 1_717_243_200  # 2024-06-01T12:00:00Z, as the shared kit's feeds
    items = []
    for e in range(entries):
        when = base - e * rng.randint(6, 72) * 3600 - rng.randint(0, 59) * 60
        title = _words(rng, 3, 8).capitalize()
        content = _entry_html(rng, host)
        summary = content.split("</p>", 1)[0] + "</p>"
        cats = "".join(f"<category>{c}</category>" for c in rng.sample(_TAGS, 2))
        items.append(
            f"<item><title>{html.escape(title)}</title>"
            f"<link>https://{host}/{index}/{e}/</link>"
            f'<guid isPermaLink="false">https://{host}/p/{index}-{e}</guid>'
            f"<pubDate>{email.utils.formatdate(when, usegmt=True)}</pubDate>{cats}"
            f"<description>{html.escape(summary, quote=False)}</description>"
            f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Feed {index:03d}</title><link>https://{host}/</link>"
        f"<description>Bench feed {index}</description>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    ).encode()


def ensure_feeds(
    work: Path, feeds: int, entries: int, generator: Path | None, timeout: float
) -> Path:
    """The folder of F feed files under `work`, made once (into a temporary sibling, renamed
    into place only when complete)."""
    dest = work / (
        f"feeds-{feeds}x{entries}" if generator is not None else f"feeds-{feeds}x{entries}-builtin"
    )
    if (dest / CORPUS_DONE).exists():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=work))
    try:
        kind = generator or "the built-in generator"
        print(f"making {feeds} feeds of {entries} entries in {dest} ({kind}) ...", flush=True)
        out = tmp / "feeds"
        if generator is not None:
            subprocess.run(
                [
                    *(sys.executable, str(generator), "feeds", str(out)),
                    *("--feeds", str(feeds), "--entries", str(entries)),
                ],
                check=True,
                timeout=timeout,
                stdout=subprocess.DEVNULL,
            )
        else:
            out.mkdir()
            rng = random.Random(42)
            for i in range(feeds):
                (out / f"feed_{i:03d}.rss.xml").write_bytes(builtin_feed(i, entries, rng))
        (out / CORPUS_DONE).write_text(
            json.dumps({"feeds": feeds, "entries": entries, "generator": str(kind)}),
            encoding="utf-8",
        )
        out.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedFile:
    path: Path
    size: int
    etag: str


def load_feeds(folder: Path) -> dict[str, FeedFile]:
    """Feed files by the path the server answers on, in name order, with their ETags.

    Read one at a time and not kept: the server sends them from disk, so that this process
    stays small (see `Measure.floor_mb`)."""
    files = sorted(p for p in folder.iterdir() if p.name.endswith(".xml"))
    if not files:
        raise SystemExit(f"no feed files (*.xml) in {folder}")
    found = {}
    for p in files:
        body = p.read_bytes()
        etag = f'"{hashlib.sha256(body).hexdigest()[:24]}"'
        found[f"/feeds/{p.name}"] = FeedFile(path=p, size=len(body), etag=etag)
    return found


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FeedServer(ThreadingHTTPServer):
    """Serves `files` on 127.0.0.1 with ETag and Last-Modified, and answers 304 to a request
    whose validators match (RFC 9110 §13.1.2: If-None-Match wins over If-Modified-Since);
    with `same_body` set it ignores them and sends 200 and the same bytes every time.
    Bodies go from the file to the socket (sendfile), never through this process's memory.
    Counts the statuses it sends."""

    daemon_threads = True
    request_queue_size = 128  # salon connects 8 at a time; never refuse one

    def __init__(self, files: dict[str, FeedFile]) -> None:
        super().__init__((HOST, 0), _Handler)
        self.files = files
        self.same_body = False
        self.counts: Counter[int] = Counter()
        self.lock = threading.Lock()

    def base_url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

    def count(self, status: int) -> None:
        with self.lock:
            self.counts[status] += 1

    def take(self) -> dict[str, int]:
        """The statuses sent since the last call, then start counting afresh."""
        with self.lock:
            got = {str(k): v for k, v in sorted(self.counts.items())}
            self.counts.clear()
        return got


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"
    timeout = HANDLER_TIMEOUT

    def do_GET(self) -> None:
        found = self.server.files.get(self.path.split("?", 1)[0])
        if found is None:
            self._send(404, None, {"Content-Type": "text/plain", "Content-Length": "0"})
            return
        kind = "atom" if ".atom." in found.path.name else "rss"
        headers = {
            "Content-Type": f"application/{kind}+xml; charset=utf-8",
            "ETag": found.etag,
            "Last-Modified": LAST_MODIFIED,
        }
        if not self.server.same_body and self._not_modified(found.etag):
            self._send(304, None, headers)
        else:
            self._send(200, found, {**headers, "Content-Length": str(found.size)})

    def _not_modified(self, etag: str) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(
                LAST_MODIFIED
            )
        except (TypeError, ValueError):
            return False

    def _send(self, status: int, body: FeedFile | None, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()  # written at once: wfile is unbuffered
        if body is not None:
            with body.path.open("rb") as f:
                self.connection.sendfile(f)
        self.server.count(status)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the benchmark prints its own report


@contextlib.contextmanager
def serving(files: dict[str, FeedFile], lifetime: float) -> Iterator[FeedServer]:
    """The server, running in a thread until the block ends, and never longer than
    `lifetime` seconds whatever happens to the block (a timer shuts it down)."""
    server = FeedServer(files)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
    )
    thread.start()
    deadline = threading.Timer(lifetime, server.shutdown)
    deadline.daemon = True
    deadline.start()
    try:
        yield server
    finally:
        deadline.cancel()
        server.shutdown()  # returns once serve_forever has returned
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------------------------
# The salon
# --------------------------------------------------------------------------------------------

SALON_TOML = (
    'title = "Fetch Bench Salon"\nbase_url = "https://example.org/"\n'
    'description = "A generated salon that follows many feeds"\n'
    '[author]\nname = "Site Owner"\n\n[fetch]\nconcurrency = 8\n'
)


def write_salon(dest: Path, feed_urls: list[str]) -> None:
    """A salon following one feed per person, with a few notes of its own. Made afresh on
    every start: the feed URLs carry the server's port, which changes."""
    shutil.rmtree(dest, ignore_errors=True)
    people, notes = dest / "content" / "people", dest / "content" / "notes"
    people.mkdir(parents=True)
    notes.mkdir(parents=True)
    (dest / "salon.toml").write_text(SALON_TOML, encoding="utf-8")
    for i, url in enumerate(feed_urls):
        (people / f"person-{i:03d}.md").write_text(
            f"---\nname: Person {i:03d}\nurl: https://person{i:03d}.example.net/\n"
            f"feeds: [{url}]\ninterests: [{_TAGS[i % len(_TAGS)]}]\n---\n"
            "A friend of the salon.\n",
            encoding="utf-8",
        )
    for i in range(5):
        (notes / f"2026-0{i + 1}-10-note-{i}.md").write_text(
            f"---\ntitle: Note {i}\ndate: 2026-0{i + 1}-10\ntags: [{_TAGS[i]}]\n---\n\n"
            f"What I read this month, and what I made of it ({i}).\n",
            encoding="utf-8",
        )


def clean_state(salon: Path) -> None:
    for name in (".salon", "site", ".site.salon-new", ".site.salon-old"):
        shutil.rmtree(salon / name, ignore_errors=True)


def store_figures(salon: Path) -> dict[str, Any]:
    """Entries stored (read with sqlite3) and the store's size on disk, WAL files included."""
    path = salon / ".salon" / "feeds.sqlite"
    parts = sorted(path.parent.glob(f"{path.name}*"))
    size = sum(p.stat().st_size for p in parts)
    # Read from a copy: even a read-only connection to a WAL database leaves a -wal and a
    # -shm file behind, and the build's no-change fingerprint includes those files.
    with tempfile.TemporaryDirectory() as tmp:
        for p in parts:
            shutil.copy2(p, Path(tmp) / p.name)
        with contextlib.closing(sqlite3.connect(Path(tmp) / path.name)) as db:
            (entries,) = db.execute("SELECT count(*) FROM entries").fetchone()
            (feeds,) = db.execute("SELECT count(*) FROM feeds").fetchone()
    return {"entries": entries, "feeds": feeds, "store_mb": size / (1024 * 1024)}


def summary_of(output: str) -> dict[str, int] | None:
    """salon's one-line report of a fetch round (`N feeds due: ...`), as numbers."""
    m = SUMMARY.search(output)
    return {k: int(v) for k, v in m.groupdict().items()} if m else None


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------


def moment(now: datetime, minutes: int) -> str:
    return (now + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def one_run(
    salon: Path, server: FeedServer, cmd: list[str], now: datetime, feeds: int, timeout: float
) -> dict[str, Any]:
    """One run of every step; each step's figures, what salon said, what the server sent,
    and every check that failed."""
    run: dict[str, Any] = {"checks": []}
    for step in STEPS:
        if step.clean:
            clean_state(salon)
        server.same_body = step.same_body
        server.take()
        argv = [*cmd, *step.args, "--now", moment(now, step.minutes)]
        m, out = run_measured(argv, salon, timeout)
        sent, said = server.take(), summary_of(out)
        run[step.key] = {
            **asdict(m),
            "server": sent,
            "salon": said,
            "last_line": out.strip().splitlines()[-1:],
        }
        want = {step.sends: feeds} if step.sends else {}
        if sent != want:
            run["checks"].append(f"{step.key}: the server sent {sent or 'nothing'}, not {want}")
        if step.report is not None:
            expected = {k: feeds if v == "all" else 0 for k, v in step.report}
            if said is None or any(said[k] != v for k, v in expected.items()):
                run["checks"].append(f"{step.key}: salon said {said}, expected {expected}")
        if step.args == ("build",) and not step.clean:
            run[step.key]["up_to_date"] = "up to date" in out
        if step.key == "no_change" and not run[step.key]["up_to_date"]:
            run["checks"].append("no_change: the build was not 'up to date'")
        if step.key == "cold_fetch":
            run["store_cold"] = store_figures(salon)
            if run["store_cold"]["feeds"] != feeds:
                run["checks"].append(f"cold_fetch: {run['store_cold']['feeds']} feeds stored")
    run["store_end"] = store_figures(salon)
    if run["store_end"]["entries"] != run["store_cold"]["entries"]:
        run["checks"].append("the unchanged rounds changed the number of entries stored")
    return run


def medians(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Wall and CPU: the median over runs. Memory: the worst run (a limit is about the worst
    case)."""
    return {
        key: {
            "wall": statistics.median(r[key]["wall"] for r in runs),
            "cpu": statistics.median(r[key]["cpu"] for r in runs),
            "peak_mb": max(r[key]["peak_mb"] for r in runs),
        }
        for key in (step.key for step in STEPS)
    }


def _print_run(i: int, run: dict[str, Any]) -> None:
    parts = []
    for step in STEPS:
        m, label = run[step.key], step.label
        note = ""
        if "up_to_date" in m:
            note = ", up to date" if m["up_to_date"] else ", rebuilt"
        parts.append(
            f"{label} {m['wall']:.2f} s (cpu {m['cpu']:.2f} s, peak {m['peak_mb']:.0f} MB{note})"
        )
    print(f"  run {i}: " + "\n         ".join(parts))
    store = run["store_end"]
    print(f"         {store['entries']} entries, store {store['store_mb']:.1f} MB")
    for problem in run["checks"]:
        print(f"         CHECK FAILED: {problem}")
    sys.stdout.flush()


def print_summary(result: dict[str, Any]) -> None:
    med, runs = result["median"], result["runs"]
    feeds, served_mb = result["feeds"], result["served_mb"]
    n = len(runs)
    print(
        f"\n{feeds} feeds x {result['entries_per_feed']} entries ({served_mb:.1f} MB of feeds); "
        f"median of {n} run{'s' if n != 1 else ''} (peak memory: worst run)"
    )
    head = f"{'step':<19} {'command':<32} {'wall s':>7} {'cpu s':>6} {'peak MB':>7}  note"
    print(head)
    print("-" * (len(head) + 40))
    notes = {
        "combined": "clean .salon + site",
        "cold_fetch": f"{feeds} x 200, parsed, stored; {feeds / med['cold_fetch']['wall']:.0f} "
        "feeds/s",
        "cold_build": "right after the cold fetch",
        "no_change": "nothing due; up to date in "
        f"{sum(r['no_change']['up_to_date'] for r in runs)}/{n} runs",
        "all_304": f"{feeds} x 304; target < {ALL_304_TARGET:g} s: "
        + ("met" if med["all_304"]["wall"] < ALL_304_TARGET else "MISSED"),
        "same_body": f"{feeds} x 200, same bytes: no parse (body hash)",
        "after_rounds": "nothing due, no entry changed; up to date in "
        f"{sum(r['after_rounds']['up_to_date'] for r in runs)}/{n} runs",
    }
    for step in STEPS:
        m = med[step.key]
        print(
            f"{step.label:<19} {step.command():<32} {m['wall']:>7.2f} {m['cpu']:>6.2f} "
            f"{m['peak_mb']:>7.0f}  {notes[step.key]}"
        )
    floor = max(r[step.key]["floor_mb"] for r in runs for step in STEPS)
    print(
        f"peak MB is never below this script's own peak when it starts a command "
        f"({floor:.0f} MB; Linux counts it into the child's ru_maxrss)"
    )
    store = runs[-1]["store_end"]
    print(
        f"store: {store['entries']} entries from {store['feeds']} feeds, "
        f"{store['store_mb']:.1f} MB on disk (.salon/feeds.sqlite*)"
    )
    failed = [c for r in runs for c in r["checks"]]
    if failed:
        print(f"{len(failed)} check(s) failed; see the runs above")


# Profile rows worth reading: salon's own code and the libraries it calls (feedparser, nh3,
# sqlite3, urllib, xml.sax ...), without the start-up and Click's dispatch that wrap them.
_PROFILE_ROWS = r"^(?!.*(click/|<frozen|<string>|cli\.py|\{built-in method builtins\.exec\}))"


def profile_cold_fetch(salon: Path, server: FeedServer, now: str, out: Path, timeout: float) -> str:
    """One cold `salon fetch` under cProfile (this Python, `-m salon_gen.cli.main`): the top 20
    by cumulative time, then the top 15 by own time.

    cProfile sees only the main thread: the HTTP requests run in salon's fetch threads and
    show up here only as the main thread waiting for them; parsing and storing run in the
    main thread and are all there. It also slows Python-heavy code several times more than
    C code, so read the shares, not the seconds."""
    clean_state(salon)
    server.same_body = False
    server.take()
    argv = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "salon_gen.cli.main"]
    m, output = run_measured([*argv, "fetch", "--now", now], salon, timeout)
    text = io.StringIO()
    stats = pstats.Stats(str(out), stream=text)
    stats.sort_stats("cumulative").print_stats(_PROFILE_ROWS, 20)
    stats.sort_stats("tottime").print_stats(15)
    head = f"cold fetch under cProfile: {m.wall:.2f} s; server sent {server.take()}"
    return f"{head}\n{output.strip().splitlines()[-1]}\n{text.getvalue()}"


def _revision() -> str:
    """The repository's commit, with "+dirty" when salon_gen/ has changes not committed."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "salon_gen"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--feeds", type=int, default=200, help="feeds followed (default 200)")
    ap.add_argument("--entries", type=int, default=50, help="entries per feed (default 50)")
    ap.add_argument("--runs", type=int, default=3, help="runs; medians are reported (default: 3)")
    ap.add_argument(
        "--salon",
        default="salon",
        help="the salon command (default: 'salon' beside this Python, else on PATH), "
        "e.g. 'python -m salon_gen.cli.main'",
    )
    ap.add_argument("--now", default=DEFAULT_NOW, help=f"the clock T (default {DEFAULT_NOW})")
    ap.add_argument(
        "--work",
        type=Path,
        default=DEFAULT_WORK,
        help=f"where the feeds and the salon are made (default {DEFAULT_WORK})",
    )
    ap.add_argument(
        "--corpus-generator",
        type=Path,
        default=DEFAULT_GENERATOR,
        help="the shared kit's generate_corpus.py (default: ../shared/bench/ beside the "
        "repository); when missing, a built-in generator makes the feeds",
    )
    ap.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds before any one command is killed (default 600)",
    )
    ap.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="after the runs, profile one cold fetch with cProfile into FILE and print the "
        "top 20 by cumulative time",
    )
    ap.add_argument("--json", type=Path, metavar="FILE", help="also save every figure here")
    a = ap.parse_args(argv)
    if a.runs < 1 or a.feeds < 1 or a.entries < 1:
        ap.error("--runs, --feeds and --entries must be at least 1")
    try:
        now = datetime.fromisoformat(a.now.replace("Z", "+00:00"))
    except ValueError:
        ap.error(f"--now: cannot read {a.now!r} as an ISO 8601 date and time")
    now = now.replace(tzinfo=now.tzinfo or UTC).astimezone(UTC)

    cmd, version = salon_command(a.salon, min(a.timeout, 120))
    a.work = a.work.resolve()
    generator = a.corpus_generator.resolve()
    if not generator.is_file():
        print(f"note: {generator} not found; using the built-in feed generator")
    kit = generator if generator.is_file() else None
    folder = ensure_feeds(a.work, a.feeds, a.entries, kit, a.timeout)
    files = load_feeds(folder)
    served_mb = sum(f.size for f in files.values()) / (1024 * 1024)
    salon = a.work / f"salon-{a.feeds}x{a.entries}"

    revision = _revision()
    print(
        f"{version} ({shlex.join(cmd)}; repository at {revision}); "
        f"python {platform.python_version()}; {os.cpu_count()} cores; {a.runs} run(s); "
        f"--now T = {moment(now, 0)}"
    )
    # The server never outlives every command timing out in turn (plus the profile's).
    lifetime = a.timeout * (len(STEPS) * a.runs + 2) + 60
    runs: list[dict[str, Any]] = []
    profile = None
    with serving(files, lifetime) as server:
        write_salon(salon, [server.base_url() + path for path in files])
        print(f"serving {len(files)} feeds from {folder} at {server.base_url()}/feeds/")
        print(f"salon: {salon}")
        for i in range(a.runs):
            run = one_run(salon, server, cmd, now, len(files), a.timeout)
            runs.append(run)
            _print_run(i + 1, run)
        if a.profile:
            profile = profile_cold_fetch(salon, server, moment(now, 0), a.profile, a.timeout)
    result = {
        "salon": shlex.join(cmd),
        "version": version,
        "revision": revision,
        "now": moment(now, 0),
        "feeds": len(files),
        "entries_per_feed": a.entries,
        "served_mb": served_mb,
        "generator": str(kit) if kit else "builtin",
        "feed_folder": str(folder),
        "salon_folder": str(salon),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "all_304_target_s": ALL_304_TARGET,
        "steps": {step.key: step.command() for step in STEPS},
        "runs": runs,
        "median": medians(runs),
    }
    print_summary(result)
    if profile is not None:
        print(f"\n{profile}")
        result["profile"] = str(a.profile)
    if a.json:
        a.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"saved {a.json}")
    return 1 if any(r["checks"] for r in runs) else 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except CommandFailed as e:
        raise SystemExit(f"fetch_bench: {e}") from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
