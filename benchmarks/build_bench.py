#!/usr/bin/env python3
"""Time `salon build` on generated salons: clean, no-change and one-edit builds.

    python benchmarks/build_bench.py [--sizes 1000 10000] [--runs 3] [--json FILE]

For each size N it makes (once, cached under --work) a salon of N posts, then runs, --runs
times in turn: a clean build (`rm -rf site .salon`, then `salon build --offline --now ...`),
the same build again with nothing changed, and a build after changing the last line of the
middle note. It prints the median of each figure, the raw numbers of every run, and with
--compare-pelican the same posts built by Pelican, run for run.

Standard library only. `salon` runs as a subprocess, exactly as a user runs it, so every
figure includes interpreter start-up and imports. Each build is one child process reaped
with os.wait4, so its CPU time and peak memory are that build's own (worker processes
included once they are joined) and never mixed with another run's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchlib import salon_command  # beside this script

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MAKE_SALON = REPO.parent / "shared" / "bench" / "make_salon.py"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "salon-build-bench"
DEFAULT_PEERS = Path(tempfile.gettempdir()) / "salon-bench" / "peers"
DEFAULT_NOW = "2026-11-22T00:00:00Z"
NO_CHANGE_TARGET = 0.05  # no-change rebuild: under 5% of a clean build
PELICAN_TARGET = 2.5  # clean build at least 2.5x faster than Pelican's
PEAK_TARGET_MB = 500  # at 10,000 posts
CORPUS_DONE = ".bench-corpus.json"  # written last: a corpus without it is incomplete


# --------------------------------------------------------------------------------------------
# Running one measured command
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    wall: float  # seconds, start to exit
    cpu: float  # user + system seconds of the child and the children it waited for
    peak_mb: float  # largest resident set of any one process of the build (wait4 ru_maxrss)
    tree_mb: float | None  # largest sampled sum of RSS over the process tree (Linux), else None


class CommandFailed(Exception):
    pass


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, from every one of its threads (Linux /proc)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as f:
                found += [int(p) for p in f.read().split()]
        except (OSError, ValueError):
            continue
    return found


def _tree_rss(root: int, page: int) -> int:
    """Bytes resident in `root` and all its descendants now. Shared pages count once per
    process, so this is an upper bound: forked workers share much of their parent's memory."""
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
        todo += _children(pid)
    return total


class _TreeSampler(threading.Thread):
    """Samples the child's whole process tree every `interval` s until stopped (Linux only)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.stopped = threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid, self.page))
            self.stopped.wait(self.interval)


def run_measured(
    argv: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None
) -> tuple[Measure, str]:
    """Run `argv` in `cwd`; return its figures and its output. Killed (with every process it
    started) after `timeout` seconds; raises CommandFailed on a timeout or a non-zero exit."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        # A session of its own, so a timeout or Ctrl-C can end its worker processes too.
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        sampler = _TreeSampler(proc.pid) if sys.platform.startswith("linux") else None
        if sampler is not None:
            sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            kill()
            proc.wait(timeout=30)
            raise
        finally:
            timer.cancel()
            if sampler is not None:
                sampler.stopped.set()
                sampler.join()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        # Workers left running (there should be none) must not outlive the measurement.
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace") + err.read().decode(errors="replace")
    if timed_out.is_set():
        raise CommandFailed(f"timed out after {timeout:.0f} s: {shlex.join(argv)} (in {cwd})")
    if proc.returncode != 0:
        raise CommandFailed(
            f"exit {proc.returncode}: {shlex.join(argv)} (in {cwd})\n{text[-3000:]}"
        )
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    tree = sampler.peak / (1024 * 1024) if sampler is not None and sampler.peak else None
    peak = usage.ru_maxrss / scale
    return Measure(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=peak,
        tree_mb=max(tree, peak) if tree is not None else None,
    ), text


# --------------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------------

_VOCABULARY = """
the of and to in is that for it as was with by on not this are or from at which but have
an they you were she there one all we their has would when if so no will more can out up
about into them then some could time only other new like these than two may first any my now
such over our even most made after also did many well where through back much before must
way right still good should because each people those very how under between work system
data code build page site feed post note link reader writer index tree cache file value
parse render template output input change simple small large fast slow last early late open
close read write start stop test check error event stream queue worker server client request
memory thread process module package library function method class object field record table
garden kitchen morning evening weekend travel coffee bread music book film river mountain
city street window light shadow winter summer spring autumn idea draft essay thought question
answer reason result approach measure number figure chart sample signal noise pattern trend
careful quick quiet bright honest useful strange familiar obvious subtle
"""
_TAG_NAMES = """
python rust web css markdown static-sites rss indieweb blogging writing reading books notes
tooling testing performance sqlite linux shell git design typography photography travel
cooking gardening music film history science math privacy open-source caching http
"""
_WORDS = _VOCABULARY.split()
_TAGS = _TAG_NAMES.split()
_DOMAINS = [
    "example.com",
    "blog.example.org",
    "docs.example.net",
    "news.example.io",
    "research.example.edu",
    "wiki.example.org",
]
_INTERESTS = [
    "history",
    "music",
    "cooking",
    "running",
    "poetry",
    "gardening",
    "film",
    "programming",
    "travel",
    "photography",
]
SALON_TOML = (
    'title = "Bench Salon"\nbase_url = "https://example.org/"\n'
    'description = "A generated salon for benchmarks"\n'
    '[author]\nname = "Site Owner"\n'
)


def _phrase(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(lo, hi)))


def _url(rng: random.Random) -> str:
    return f"https://{rng.choice(_DOMAINS)}/{rng.choice(_WORDS)}/{rng.choice(_WORDS)}"


def _sentence(rng: random.Random) -> str:
    words = _phrase(rng, 8, 18).split()
    i = rng.randrange(len(words))
    style = rng.random()
    if style < 0.15:
        words[i] = f"*{words[i]}*"
    elif style < 0.25:
        words[i] = f"**{words[i]}**"
    elif style < 0.4:
        words[i] = f"[{words[i]} {rng.choice(_WORDS)}]({_url(rng)})"
    elif style < 0.5:
        words[i] = f"`{words[i]}_{rng.choice(_WORDS)}()`"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _code(rng: random.Random) -> str:
    name, arg, key = rng.choice(_WORDS), rng.choice(_WORDS), rng.choice(_WORDS)
    limit = rng.randint(2, 900)
    return (
        f"```python\ndef {name}_{key}({arg}s: list[dict]) -> list[str]:\n"
        f'    """Return the {key} of each {arg} above {limit}."""\n'
        f"    out = []\n    for {arg} in {arg}s:\n"
        f'        if {arg}.get("{key}", 0) > {limit}:\n'
        f"            out.append(f\"{{{arg}['{key}']}}: {name}\")\n"
        f"    return sorted(out)\n```"
    )


def _body(rng: random.Random, share: bool) -> str:
    if share:  # a share: a short comment on the linked page
        return _paragraph(rng, rng.randint(3, 6)) + "\n"
    parts = [
        _paragraph(rng, 3),
        f"## {_phrase(rng, 3, 6).capitalize()}",
        _paragraph(rng, 5),
        "\n".join(f"- {_phrase(rng, 4, 10)}" for _ in range(rng.randint(3, 6))),
        _paragraph(rng, 4),
        _code(rng),
        f"## {_phrase(rng, 2, 5).capitalize()}",
        _paragraph(rng, 6),
        _paragraph(rng, 4),
    ]
    if rng.random() < 0.3:
        parts.insert(5, "> " + _paragraph(rng, 2))
    return "\n\n".join(parts) + "\n"


def write_builtin_corpus(
    dest: Path, count: int, *, seed: int = 42, people: int = 20, shares: float = 0.2
) -> None:
    """A salon of `count` posts (about 400 words each; a `shares` fraction are link shares)
    and `people` people, the same bytes for the same arguments."""
    rng = random.Random(seed)
    dirs = {k: dest / "content" / k for k in ("notes", "shares", "people")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    (dest / "salon.toml").write_text(SALON_TOML, encoding="utf-8")
    start = 1_325_376_000  # 2012-01-01T00:00:00Z
    step = (1_763_000_000 - start) // max(count, 1)  # spread up to late 2025
    for i in range(count):
        moment = time.gmtime(start + i * step + rng.randint(0, 3600 * 12))
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", moment)
        title = _phrase(rng, 3, 8).capitalize().replace('"', "")
        tags = sorted(set(rng.sample(_TAGS, rng.randint(1, 3))))
        is_share = rng.random() < shares
        head = [f'title: "{title}"', f"date: {stamp}", f"tags: [{', '.join(tags)}]"]
        if is_share:
            head.append(f"link: {_url(rng)}")
        name = f"{time.strftime('%Y-%m-%d', moment)}-{i:05d}.md"
        folder = dirs["shares" if is_share else "notes"]
        (folder / name).write_text(
            "---\n" + "\n".join(head) + "\n---\n\n" + _body(rng, is_share), encoding="utf-8"
        )
    for i in range(people):
        mine = sorted({_INTERESTS[(i * 3 + k * 7) % len(_INTERESTS)] for k in range(3)})
        (dirs["people"] / f"person-{i:03d}.md").write_text(
            f"---\nname: Person {i:03d}\nurl: https://person{i:03d}.example.net/\n"
            f"interests: [{', '.join(mine)}]\n---\nA friend of the salon.\n",
            encoding="utf-8",
        )


def ensure_corpus(work: Path, count: int, make_salon: Path | None, timeout: float) -> Path:
    """The salon of `count` posts under `work`, made once (into a temporary sibling, renamed
    into place only when complete)."""
    kind = "make_salon" if make_salon is not None else "builtin"
    dest = work / (f"salon-{count}" if make_salon is not None else f"salon-{count}-builtin")
    if (dest / CORPUS_DONE).exists():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=work))
    try:
        print(f"making a salon of {count} posts in {dest} ({kind}) ...", flush=True)
        if make_salon is not None:
            subprocess.run(
                [sys.executable, str(make_salon), str(tmp / "salon"), "--count", str(count)],
                check=True,
                timeout=timeout,
                stdout=subprocess.DEVNULL,
            )
        else:
            write_builtin_corpus(tmp / "salon", count)
        (tmp / "salon" / CORPUS_DONE).write_text(
            json.dumps({"posts": count, "generator": str(make_salon) if make_salon else "builtin"}),
            encoding="utf-8",
        )
        (tmp / "salon").rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def middle_file(folder: Path) -> Path:
    """The file a one-edit run changes: the middle one in name order (as compare.sh picks)."""
    names = sorted(p for p in folder.iterdir() if p.suffix == ".md")
    if not names:
        raise SystemExit(f"no Markdown files in {folder}")
    return names[len(names) // 2]


def edit_last_line(path: Path, mark: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, _, _ = text.rstrip("\n").rpartition("\n")
    path.write_text(f"{head}\nEdited {mark}.\n", encoding="utf-8")


def count_pages(site: Path) -> int:
    return sum(
        1 for _, _, files in os.walk(site) for name in files if name in ("index.html", "404.html")
    )


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------


def _remove(*paths: Path) -> None:
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()


def _pelican_corpus(work: Path, count: int, kit: Path, timeout: float) -> Path:
    dest = work / f"pelican-{count}"
    if (dest / CORPUS_DONE).exists():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=work))
    try:
        print(f"making the same {count} posts for Pelican in {dest} ...", flush=True)
        (tmp / "p" / "content").mkdir(parents=True)
        # The same generator, seed and share fraction as make_salon.py: the same posts.
        subprocess.run(
            [
                sys.executable,
                str(kit / "generate_corpus.py"),
                "posts",
                str(tmp / "p" / "content"),
                "--count",
                str(count),
                "--format",
                "pelican",
                "--link-shares",
                "0.2",
            ],
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
        )
        shutil.copy(kit / "pelicanconf.py", tmp / "p" / "pelicanconf.py")
        (tmp / "p" / CORPUS_DONE).write_text(json.dumps({"posts": count}), encoding="utf-8")
        (tmp / "p").rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def bench_size(
    count: int,
    a: argparse.Namespace,
    salon: list[str],
    make_salon: Path | None,
    pelican: Path | None,
) -> dict[str, object]:
    corpus = ensure_corpus(a.work, count, make_salon, a.timeout)
    site, state = corpus / "site", corpus / ".salon"
    build = [*salon, "build", "--offline", "--now", a.now]
    if a.jobs is not None:
        build += ["--jobs", str(a.jobs)]
    target = middle_file(corpus / "content" / "notes")
    original = target.read_bytes()
    p_dir = p_target = p_original = None
    if pelican is not None:
        p_dir = _pelican_corpus(a.work, count, a.make_salon.parent, a.timeout)
        p_target = middle_file(p_dir / "content")
        p_original = p_target.read_bytes()
    p_build = [str(pelican), "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
    p_cached = [*p_build, "-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"]

    runs: list[dict[str, object]] = []
    pages = 0
    print(f"\n{count} posts: {corpus}  (one-edit changes {target.name})", flush=True)
    try:
        for i in range(a.runs):
            run: dict[str, object] = {}
            _remove(site, state, corpus / ".site.salon-new", corpus / ".site.salon-old")
            m, out = run_measured(build, corpus, a.timeout)
            pages = count_pages(site)
            run["clean"], run["pages"] = asdict(m), pages
            run["clean_output"] = out.strip().splitlines()[-1:] or [""]
            m, out = run_measured(build, corpus, a.timeout)
            run["no_change"] = asdict(m)
            run["no_change_up_to_date"] = "up to date" in out
            edit_last_line(target, f"in run {i + 1} at {time.time_ns()}")
            m, out = run_measured(build, corpus, a.timeout)
            run["one_edit"] = asdict(m)
            run["one_edit_output"] = out.strip().splitlines()[-1:] or [""]
            if pelican is not None and p_dir is not None and p_target is not None:
                # compare.sh's rows: clean without a cache; then one edit with Pelican's
                # content cache on, after a build that fills that cache.
                _remove(p_dir / "output", p_dir / "cache")
                m, _ = run_measured(p_build, p_dir, a.timeout)
                run["pelican_clean"] = asdict(m)
                m, _ = run_measured(p_cached, p_dir, a.timeout)
                run["pelican_cache_fill"] = asdict(m)
                edit_last_line(p_target, f"in run {i + 1} at {time.time_ns()}")
                m, _ = run_measured(p_cached, p_dir, a.timeout)
                run["pelican_one_edit"] = asdict(m)
            runs.append(run)
            _print_run(count, i + 1, run)
    finally:  # leave the corpus as it was made
        target.write_bytes(original)
        if p_target is not None and p_original is not None:
            p_target.write_bytes(p_original)

    return {
        "posts": count,
        "corpus": str(corpus),
        "generator": str(make_salon) if make_salon else "builtin",
        "edited": str(target.relative_to(corpus)),
        "pages": pages,
        "runs": runs,
        "median": _medians(runs),
    }


def _medians(runs: list[dict[str, object]]) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for row in ("clean", "no_change", "one_edit", "pelican_clean", "pelican_one_edit"):
        got = [r[row] for r in runs if row in r]
        if not got:
            continue
        med: dict[str, float | None] = {}
        for field in ("wall", "cpu", "peak_mb", "tree_mb"):
            values = [g[field] for g in got if isinstance(g, dict) and g[field] is not None]
            # Memory: the worst run, not the median; a limit is about the worst case.
            med[field] = (
                None
                if not values
                else max(values)
                if field.endswith("_mb")
                else statistics.median(values)
            )
        out[row] = med
    return out


def _mb(value: object) -> str:
    return f"{value:.0f}" if isinstance(value, float) else "-"


def _print_run(count: int, i: int, run: dict[str, object]) -> None:
    def fmt(key: str) -> str:
        m = run[key]
        assert isinstance(m, dict)
        return (
            f"{m['wall']:.3f} s (cpu {m['cpu']:.2f} s, peak {_mb(m['peak_mb'])} MB, "
            f"tree {_mb(m['tree_mb'])} MB)"
        )

    print(f"  run {i}: clean {fmt('clean')}, {run['pages']} pages", flush=True)
    note = "" if run["no_change_up_to_date"] else "  [not 'up to date': did salon's code change?]"
    print(f"         no-change {fmt('no_change')}{note}")
    print(f"         one-edit {fmt('one_edit')}")
    if "pelican_clean" in run:
        print(f"         pelican clean {fmt('pelican_clean')}")
        print(f"         pelican one-edit (content cache) {fmt('pelican_one_edit')}")
    sys.stdout.flush()


def _worst(*rows: dict[str, float | None], field: str) -> float | None:
    values = [v for r in rows if (v := r[field]) is not None]
    return max(values) if values else None


def print_summary(results: list[dict[str, object]], runs: int) -> None:
    print(f"\nmedian of {runs} run{'s' if runs != 1 else ''} (memory: worst run)")
    head = (
        f"{'posts':>7} {'pages':>7} {'clean s':>9} {'pages/s':>8} {'cpu s':>7} "
        f"{'no-change s':>12} {'% clean':>8} {'one-edit s':>11} {'% clean':>8} "
        f"{'peak MB':>8} {'tree MB':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        med = r["median"]
        assert isinstance(med, dict)
        c, n, e = med["clean"], med["no_change"], med["one_edit"]
        pages = r["pages"]
        assert isinstance(pages, int)
        print(
            f"{r['posts']:>7} {pages:>7} {c['wall']:>9.2f} {pages / c['wall']:>8.0f} "
            f"{c['cpu']:>7.2f} {n['wall']:>12.3f} {100 * n['wall'] / c['wall']:>7.1f}% "
            f"{e['wall']:>11.2f} {100 * e['wall'] / c['wall']:>7.1f}% "
            f"{_mb(_worst(c, n, e, field='peak_mb')):>8} "
            f"{_mb(_worst(c, n, e, field='tree_mb')):>8}"
        )
    print(
        f"targets: no-change < {NO_CHANGE_TARGET:.0%} of clean; "
        f"peak < {PEAK_TARGET_MB} MB at 10,000 posts"
    )
    with_peer = [r for r in results if "pelican_clean" in r["median"]]  # type: ignore[operator]
    if with_peer:
        print(
            "\nPelican on the same posts: Pelican's time / salon's, the median of the ratios "
            "of each run\n(both built in the same run, so the machine's load hits both alike)"
        )
        head = (
            f"{'posts':>7} {'salon clean s':>14} {'pelican clean s':>16} {'x wall':>7} "
            f"{'x cpu':>6} {'salon edit s':>13} {'pelican edit s':>15} {'x wall':>7}"
        )
        print(head)
        print("-" * len(head))
        for r in with_peer:
            med, runs = r["median"], r["runs"]
            assert isinstance(med, dict) and isinstance(runs, list)
            clean = _ratio(runs, "pelican_clean", "clean", "wall")
            cpu = _ratio(runs, "pelican_clean", "clean", "cpu")
            edit = _ratio(runs, "pelican_one_edit", "one_edit", "wall")
            print(
                f"{r['posts']:>7} {med['clean']['wall']:>14.2f} "
                f"{med['pelican_clean']['wall']:>16.2f} {clean:>6.2f}x {cpu:>5.2f}x "
                f"{med['one_edit']['wall']:>13.2f} {med['pelican_one_edit']['wall']:>15.2f} "
                f"{edit:>6.2f}x"
            )
        print(f"target: Pelican's clean build takes >= {PELICAN_TARGET}x salon's (x wall)")


def _ratio(runs: list[dict[str, Any]], peer: str, ours: str, field: str) -> float:
    """The median over runs of peer / ours, each pair measured in the same run."""
    return statistics.median(r[peer][field] / r[ours][field] for r in runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1000, 10000],
        metavar="N",
        help="posts per salon (default: 1000 10000)",
    )
    ap.add_argument(
        "--runs", type=int, default=3, help="runs per size; medians are reported (default: 3)"
    )
    ap.add_argument(
        "--salon",
        default="salon",
        help="the salon command (default: 'salon' on PATH), e.g. 'python -m salon_gen.cli.main'",
    )
    ap.add_argument("--jobs", type=int, help="pass --jobs J to salon build")
    ap.add_argument("--now", default=DEFAULT_NOW, help=f"build moment (default {DEFAULT_NOW})")
    ap.add_argument(
        "--work",
        type=Path,
        default=DEFAULT_WORK,
        help=f"where corpora are made and kept, by size (default {DEFAULT_WORK})",
    )
    ap.add_argument(
        "--make-salon",
        type=Path,
        default=DEFAULT_MAKE_SALON,
        help="the shared kit's make_salon.py (default: ../shared/bench/ beside the "
        "repository); when missing, a built-in generator makes the corpus",
    )
    ap.add_argument(
        "--compare-pelican",
        action="store_true",
        help="also build the same posts with Pelican, if PEERS/bin/pelican exists",
    )
    ap.add_argument(
        "--peers",
        type=Path,
        default=DEFAULT_PEERS,
        help=f"the venv compare.sh installs Pelican into (default {DEFAULT_PEERS})",
    )
    ap.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="seconds before any one command is killed (default 1800)",
    )
    ap.add_argument("--json", type=Path, metavar="FILE", help="also save every figure here")
    a = ap.parse_args(argv)
    if a.runs < 1 or any(n < 1 for n in a.sizes):
        ap.error("--runs and --sizes must be at least 1")

    salon, version = salon_command(a.salon, min(a.timeout, 120))
    a.work = a.work.resolve()
    a.make_salon = a.make_salon.resolve()
    make_salon = a.make_salon if a.make_salon.is_file() else None
    if make_salon is None:
        print(f"note: {a.make_salon} not found; using the built-in corpus generator")
    pelican: Path | None = None
    if a.compare_pelican:
        candidate = a.peers / "bin" / "pelican"
        kit = a.make_salon.parent
        if not candidate.exists():
            print(
                f"note: {candidate} not found; no Pelican comparison (run the shared kit's "
                "compare.sh once to install it)"
            )
        elif not (kit / "generate_corpus.py").is_file() or not (kit / "pelicanconf.py").is_file():
            print(f"note: no generate_corpus.py and pelicanconf.py in {kit}; no Pelican comparison")
        else:
            pelican = candidate

    print(
        f"{version} ({shlex.join(salon)}); python {platform.python_version()}; "
        f"{os.cpu_count()} cores; {a.runs} run(s) per size; --now {a.now}"
    )
    results = [bench_size(n, a, salon, make_salon, pelican) for n in a.sizes]
    print_summary(results, a.runs)
    if a.json:
        a.json.write_text(
            json.dumps(
                {
                    "salon": shlex.join(salon),
                    "version": version,
                    "now": a.now,
                    "runs": a.runs,
                    "jobs": a.jobs,
                    "python": platform.python_version(),
                    "cores": os.cpu_count(),
                    "platform": platform.platform(),
                    "sizes": results,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"saved {a.json}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except CommandFailed as e:
        raise SystemExit(f"build_bench: {e}") from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
