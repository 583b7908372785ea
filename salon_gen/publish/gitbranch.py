"""Publishing the site as a commit on a git branch (GitHub Pages style), and running the
tools a deploy calls (git, rsync) with their failures as diagnostics.

Owns building the branch's next commit in a bare repository under .salon/ (no working tree
of the owner's is touched) and pushing it. Must not decide whether the site may be
published (deploy.py checks that) and must not print.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from salon_gen.core.errors import BuildFailed, Diagnostic
from salon_gen.core.model import Config

TIMEOUT = 600.0  # seconds for one git or rsync command


def refusal(message: str, hint: str | None = None, path: str = "salon.toml") -> BuildFailed:
    return BuildFailed([Diagnostic(path=path, message=message, hint=hint)])


def run_tool(
    command: Sequence[str],
    what: str,
    *,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError) as e:
        raise refusal(f"{what} could not run: {e}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        said = " / ".join(lines[-3:])[:500]
        raise refusal(f"{what} failed (exit {done.returncode}): {said}")
    return done


def to_git(
    root: Path, config: Config, site: Path, branch: str, repository: str, *, cache: Path
) -> tuple[bool, str]:
    """Commit the site as the next commit of `branch` in `repository` (a path, relative
    to the salon, or a URL) and push it there. History is kept: the commit's parent is the
    branch as it was. A site identical to the branch's tip makes no commit. The commit is
    built in the bare repository `cache` (made if missing; under .salon/), so no working
    tree of the owner's is touched;
    a `.nojekyll` file is added so GitHub Pages publishes the files as they are."""
    git = shutil.which("git")
    if git is None:
        raise refusal("git is not installed", "install git, or deploy to a folder")
    remote = (
        repository
        if "://" in repository or _scp_like(repository)
        else str((root / Path(repository).expanduser()).resolve())
    )
    env = _git_env(config)
    local = not ("://" in repository or _scp_like(repository))
    if local and not _is_repository(git, Path(remote)):
        raise refusal(
            f"{repository} ({remote}) is not a git repository: nowhere to push {branch}",
            "run `git init` there, or set [deploy] repository to a repository's path or URL",
        )
    base = [git, "-c", "core.autocrlf=false", "-c", "core.bare=false", f"--git-dir={cache}"]
    if not (cache / "HEAD").exists():
        run_tool([git, "init", "--bare", "-q", str(cache)], "git init", env=env)
    ref = f"refs/heads/{branch}"
    listed = run_tool([*base, "ls-remote", "--", remote, ref], "git ls-remote", env=env)
    parent = listed.stdout.split()[0] if listed.stdout.strip() else None
    if parent is not None:
        run_tool(
            [*base, "fetch", "-q", "--", remote, f"+{ref}:refs/salon/parent"], "git fetch", env=env
        )
    index = cache / "salon-index"
    index.unlink(missing_ok=True)
    env_index = {**env, "GIT_INDEX_FILE": str(index)}
    work = [*base, f"--work-tree={site}"]
    run_tool([*work, "add", "--all", "--force", "--", "."], "git add", env=env_index)
    if not (site / ".nojekyll").exists():
        empty = run_tool([*base, "hash-object", "-w", "--stdin"], "git hash-object", env=env)
        blob = empty.stdout.strip()
        run_tool(
            [*base, "update-index", "--add", "--cacheinfo", f"100644,{blob},.nojekyll"],
            "git update-index",
            env=env_index,
        )
    tree = run_tool([*base, "write-tree"], "git write-tree", env=env_index).stdout.strip()
    index.unlink(missing_ok=True)
    if parent is not None:
        before = run_tool([*base, "rev-parse", f"{parent}^{{tree}}"], "git rev-parse", env=env)
        if before.stdout.strip() == tree:
            return False, f"{branch} in {repository} already has this site: nothing to commit"
    message = f"Publish {config.title}" + _source_line(git, root)
    made = [*base, "commit-tree", tree, "-m", message, *(["-p", parent] if parent else [])]
    commit = run_tool(made, "git commit-tree", env=env).stdout.strip()
    run_tool([*base, "push", "-q", "--", remote, f"{commit}:{ref}"], "git push", env=env)
    return True, f"deployed to {branch} in {repository}: commit {commit[:12]}"


def _is_repository(git: str, path: Path) -> bool:
    try:
        done = subprocess.run(
            [git, "-C", str(path), "rev-parse", "--git-dir"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _scp_like(text: str) -> bool:
    """git's user@host:path form (no scheme), as opposed to a local path."""
    head = text.split("/", 1)[0]
    return ":" in head and not (len(head) == 2 and head[1] == ":")  # not C:\ on Windows


def _git_env(config: Config) -> dict[str, str]:
    """The environment for git: no prompts (a deploy runs unattended), and the salon's
    author as the commit's author unless the environment names one."""
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    email = config.author.email or "salon@localhost"
    for who in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{who}_NAME", config.author.name)
        env.setdefault(f"GIT_{who}_EMAIL", email)
    return env


def _source_line(git: str, root: Path) -> str:
    """ "\n\nBuilt from <commit>" when the salon folder is a git checkout."""
    try:
        done = subprocess.run(
            [git, "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    head = done.stdout.strip()
    return f"\n\nBuilt from {head}." if done.returncode == 0 and head else ""
