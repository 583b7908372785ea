"""`salon deploy`: put the built site where it is published, then run the after-deploy steps.

Owns the three ways to publish — a folder made an exact copy of the site, rsync, a commit on
a git branch (GitHub Pages style) — and the checks before any of them: the site must be the
output of a successful, up-to-date build without drafts. Must not build (the owner or the
CI workflow runs `salon build` first) and must not decide what the site contains.

The steps that follow a successful deploy (sending Webmentions, pinging a WebSub hub) are
passed in as `after`; `after_deploy_steps` is the one place that lists them.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from salon_gen.core.config_checks import deploy_target_problem
from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import Config
from salon_gen.pipeline import build, write
from salon_gen.publish import search
from salon_gen.publish.gitbranch import refusal, run_tool, to_git
from salon_gen.workspace import state

Kind = Literal["folder", "rsync", "git"]
GIT_CACHE = "deploy.git"  # under .salon/: a bare repository that builds the branch's commits
RECORD = "deployed.json"  # under .salon/: the folders salon has made copies of the site


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    kind: Kind
    where: str  # a path, [user@]host:path, or a branch name


@dataclass(frozen=True, slots=True, kw_only=True)
class Deployed:
    """A deploy that succeeded: where to, whether anything changed there (None: rsync does
    not say), and one line for the owner."""

    target: Target
    site: Path
    changed: bool | None
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StepReport:
    """What an after-deploy step says: lines for the owner, and warnings."""

    lines: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


AfterStep = Callable[[Deployed], StepReport]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeployReport:
    deployed: Deployed
    steps: tuple[StepReport, ...] = field(default_factory=tuple)


def after_deploy_steps(root: Path, config: Config, now: datetime) -> tuple[AfterStep, ...]:
    """The steps run after every successful deploy, in order: the Webmentions the published
    site owes (new, changed and deleted notes: `mention.send_mentions`), then, when salon.toml
    names a `hub`, the WebSub ping for the feeds that changed (`websub.ping_hub`)."""
    from salon_gen.publish import mention, websub

    def mentions(done: Deployed) -> StepReport:
        return StepReport(lines=(mention.send_mentions(root, now=now).summary(),))

    def hub(done: Deployed) -> StepReport:
        return StepReport(lines=(websub.ping_hub(root, output=done.site).summary(),))

    return (mentions, hub) if config.hub else (mentions,)


def parse_target(text: str) -> Target:
    """A deploy target from salon.toml or --to; ValueError saying what is wrong."""
    problem = deploy_target_problem(text)
    if problem is not None:
        raise ValueError(problem.message + (f" ({problem.hint})" if problem.hint else ""))
    kind, where = text.split(":", 1)
    return Target(kind=kind, where=where)  # type: ignore[arg-type]  # checked just above


def deployable_site(root: Path, config: Config, now: datetime) -> Path:
    """The site folder, if it may be published now; else BuildFailed saying why not."""
    out = build.resolve_output(root, config.output_dir, None)
    label = _label(root, out)
    paths = state.StatePaths(root=root)
    drafts = write.built_with_drafts(paths.manifest(out), out)
    if drafts is None:
        raise refusal(
            f"{label} has no record of a build: nothing to deploy",
            "run `salon build` first",
            label,
        )
    if drafts:
        raise refusal(
            f"{label} was built with --drafts: it shows drafts and future-dated items",
            "run `salon build` (without --drafts), then deploy",
            label,
        )
    if not build.up_to_date(root, now=now):
        raise refusal(
            f"{label} is not up to date: the last build failed, or something changed since",
            "run `salon build`; only a site a successful build made from the current "
            "files is deployed",
            label,
        )
    return out


def deploy(
    root: Path,
    config: Config,
    target: Target,
    *,
    now: datetime,
    after: Sequence[AfterStep] = (),
) -> DeployReport:
    """Check the site, publish it to `target`, then run `after` in order (a step that
    raises is a warning: the site is published all the same)."""
    # as given: the build's fingerprint holds the paths as the build was given them
    site = deployable_site(root, config, now)
    root = root.resolve()  # git runs in other folders: every path it is given is absolute
    done: tuple[bool | None, str]
    if target.kind == "folder":
        done = to_folder(root, site, _local(root, target.where))
    elif target.kind == "rsync":
        done = to_rsync(site, target.where)
    else:
        repository = config.deploy.repository
        cache = root / state.STATE_DIR / GIT_CACHE
        done = to_git(root, config, site, target.where, repository, cache=cache)
    deployed = Deployed(target=target, site=site, changed=done[0], summary=done[1])
    reports = []
    for step in after:
        try:
            reports.append(step(deployed))
        except Exception as e:  # one step's failure must not hide the others
            name = getattr(step, "__name__", "a step")
            reports.append(
                StepReport(
                    diagnostics=(
                        Diagnostic(
                            path="salon.toml",
                            severity="warning",
                            message=f"after the deploy, {name} failed: {e}",
                        ),
                    )
                )
            )
    return DeployReport(deployed=deployed, steps=tuple(reports))


def search_warnings(site: Path, label: str) -> tuple[Diagnostic, ...]:
    """A site that wants search but has no index is published with a page that says
    search is unavailable: say so before it goes out."""
    if search.wanted(site) and not search.present(site):
        return (
            Diagnostic(
                path=label,
                severity="warning",
                message="search: the site has no search index: its search page will say so",
                hint="install Pagefind (pip install 'pagefind[bin]') and run `salon build`",
            ),
        )
    return ()


def _label(root: Path, out: Path) -> str:
    try:
        return out.relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        return str(out) + "/"


def _local(root: Path, where: str) -> Path:
    path = Path(where).expanduser()
    return (path if path.is_absolute() else root / path).resolve()


# --- a folder ------------------------------------------------------------------------------


def to_folder(root: Path, site: Path, dest: Path) -> tuple[bool, str]:
    """Make `dest` an exact copy of `site`: new and changed files written (each replaced
    atomically), files and folders the site no longer has removed, symlinks removed, never
    followed, so nothing outside `dest` is touched. A non-empty folder salon has never
    deployed to is refused: its files would be deleted."""
    root = root.resolve()
    protected = [root / name for name in ("content", "themes", "private", state.STATE_DIR)]
    overlaps = dest == site or site in dest.parents or dest in site.parents
    if (
        overlaps
        or dest == root
        or dest in root.parents
        or any(p == dest or p in dest.parents for p in protected)
    ):
        raise refusal(
            f"refusing to deploy into {dest}: it holds the site or the salon itself",
            'deploy to a folder of its own, e.g. target = "folder:/srv/www/salon"',
        )
    record = root / state.STATE_DIR / RECORD
    known = _recorded(record)
    if dest.exists() and not dest.is_dir():
        raise refusal(f"refusing to deploy into {dest}: it is a file")
    if dest.is_dir() and any(dest.iterdir()) and str(dest) not in known:
        raise refusal(
            f"refusing to deploy into {dest}: it is not empty, and salon has not deployed "
            "there before",
            "salon makes the folder an exact copy of the site, deleting anything else: "
            "empty it or choose a new folder",
        )
    _remember(record, known | {str(dest)})
    want_files, want_dirs = _tree(site)
    removed = _prune(dest, want_files, want_dirs)
    written = unchanged = 0
    dest.mkdir(parents=True, exist_ok=True)
    for rel in sorted(want_dirs):
        (dest / rel).mkdir(exist_ok=True)
    for rel in sorted(want_files):
        source, target = site / rel, dest / rel
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            unchanged += 1
            continue
        tmp = target.with_name(f".{target.name}.salon-tmp")
        shutil.copy2(source, tmp)
        os.replace(tmp, target)
        written += 1
    changed = bool(written or removed)
    return changed, (
        f"deployed to {dest}: {written} written, {unchanged} unchanged, {removed} removed"
    )


def _tree(top: Path) -> tuple[set[str], set[str]]:
    files: set[str] = set()
    dirs: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(top):
        rel = os.path.relpath(dirpath, top)
        for name in dirnames:
            dirs.add(os.path.normpath(os.path.join(rel, name)))
        for name in filenames:
            files.add(os.path.normpath(os.path.join(rel, name)))
    return files, dirs


def _prune(dest: Path, files: set[str], dirs: set[str]) -> int:
    """Remove from `dest` whatever is not in the site, or not of the same type there;
    symlinks always (unlinked, never followed). Returns how many entries went."""
    if not dest.is_dir():
        return 0
    gone = 0
    for dirpath, dirnames, filenames in os.walk(dest, topdown=True):
        rel = os.path.relpath(dirpath, dest)
        keep = []
        for name in dirnames:
            path = os.path.join(dirpath, name)
            sub = os.path.normpath(os.path.join(rel, name))
            if os.path.islink(path):
                os.unlink(path)
                gone += 1
            elif sub not in dirs:
                shutil.rmtree(path)
                gone += 1
            else:
                keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or os.path.normpath(os.path.join(rel, name)) not in files:
                os.unlink(path)
                gone += 1
    return gone


def _recorded(record: Path) -> set[str]:
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return {str(p) for p in data.get("folders", [])}
    except (OSError, ValueError, AttributeError):
        return set()


def _remember(record: Path, folders: set[str]) -> None:
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_suffix(".tmp")
    tmp.write_text(json.dumps({"folders": sorted(folders)}, indent=1), encoding="utf-8")
    os.replace(tmp, record)


# --- rsync ---------------------------------------------------------------------------------


def to_rsync(site: Path, where: str) -> tuple[None, str]:
    """rsync the site to `where` ([user@]host:path, or a path on this machine): the same
    exact copy as a folder deploy, over ssh."""
    rsync = shutil.which("rsync")
    if rsync is None:
        raise refusal("rsync is not installed", "install rsync, or deploy to a folder or git")
    command = [rsync, "--recursive", "--links", "--times", "--compress", "--delete"]
    done = run_tool([*command, "--", f"{site}/", where], "rsync")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return None, f"deployed to {where} with rsync" + (f" ({lines[-1]})" if lines else "")
