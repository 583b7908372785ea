"""`salon deploy` and `salon init --ci github`: a real site built, then published to a
folder, a local bare git repository and (when rsync is installed) over rsync to a local
path; and the refusals: a --drafts site, a site older than its files, no build at all."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from salon_gen.cli.main import main
from salon_gen.core.errors import BuildFailed
from salon_gen.core.model import Config
from salon_gen.pipeline.build import BuildOptions, build, checked_config
from salon_gen.publish import deploy

from .conftest import MINIMAL_CONFIG, NOW, snapshot

NOTE = "---\ntitle: {title}\ndate: 2026-03-0{day}\n---\nThe body of {title}.\n"
FILES = {
    "content/notes/2026-03-01-first.md": NOTE.format(title="First", day=1),
    "content/notes/2026-03-02-second.md": NOTE.format(title="Second", day=2),
    "content/static/photo.txt": "not really a photo\n",
}


@pytest.fixture
def salon(make_salon: Callable[..., Path]) -> Path:
    root = make_salon(FILES)
    build(root, now=NOW, options=BuildOptions(offline=True, jobs=1))
    return root


def config_of(root: Path) -> Config:
    return checked_config(root)[0]


def publish(root: Path, target: str, **kwargs: object) -> deploy.DeployReport:
    return deploy.deploy(
        root,
        config_of(root),
        deploy.parse_target(target),
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def files_of(folder: Path) -> dict[str, bytes]:
    return {k: v for k, (v, _) in snapshot(folder).items()}


def rebuild(root: Path, **options: bool) -> None:
    build(root, now=NOW, options=BuildOptions(offline=True, jobs=1, **options))


# --- a folder ------------------------------------------------------------------------------


def test_a_folder_becomes_an_exact_copy_and_follows_removals(salon: Path, tmp_path: Path) -> None:
    dest = tmp_path / "www"
    first = publish(salon, f"folder:{dest}")
    assert files_of(dest) == files_of(salon / "site")
    assert first.deployed.changed is True
    assert "notes/second/index.html" in files_of(dest)

    again = publish(salon, f"folder:{dest}")
    assert again.deployed.changed is False
    assert "0 written" in again.deployed.summary

    (salon / "content/notes/2026-03-02-second.md").unlink()
    rebuild(salon)
    after = publish(salon, f"folder:{dest}")
    assert after.deployed.changed is True
    assert "notes/second/index.html" not in files_of(dest)
    assert not (dest / "notes" / "second").exists()  # its folder went with it
    assert files_of(dest) == files_of(salon / "site")


def test_a_folder_deploy_touches_nothing_outside_it(salon: Path, tmp_path: Path) -> None:
    dest = tmp_path / "www"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine\n")
    (tmp_path / "beside.txt").write_text("beside\n")
    publish(salon, f"folder:{dest}")
    # someone put links into the deployed folder that lead outside it
    (dest / "notes" / "escape").symlink_to(outside, target_is_directory=True)
    (dest / "index.html").unlink()
    (dest / "index.html").symlink_to(outside / "keep.txt")
    (dest / "stray.html").write_text("left by hand\n")
    publish(salon, f"folder:{dest}")
    assert (outside / "keep.txt").read_text() == "mine\n"
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (tmp_path / "beside.txt").read_text() == "beside\n"
    assert not (dest / "notes" / "escape").exists()
    assert not (dest / "index.html").is_symlink()
    assert files_of(dest) == files_of(salon / "site")


def test_a_folder_salon_did_not_make_is_refused_when_not_empty(salon: Path, tmp_path: Path) -> None:
    dest = tmp_path / "home"
    dest.mkdir()
    (dest / "thesis.tex").write_text("years of work\n")
    with pytest.raises(BuildFailed) as refused:
        publish(salon, f"folder:{dest}")
    assert "not empty" in refused.value.diagnostics[0].message
    assert (dest / "thesis.tex").read_text() == "years of work\n"
    assert sorted(p.name for p in dest.iterdir()) == ["thesis.tex"]


@pytest.mark.parametrize("where", ["site", "site/inner", ".", "content", ".salon/x", ".."])
def test_a_folder_that_holds_the_site_or_the_salon_is_refused(salon: Path, where: str) -> None:
    before = snapshot(salon / "content")
    with pytest.raises(BuildFailed) as refused:
        publish(salon, f"folder:{where}")
    assert "refusing to deploy" in refused.value.diagnostics[0].message
    assert snapshot(salon / "content") == before


# --- the refusals --------------------------------------------------------------------------


def test_a_drafts_site_is_refused(salon: Path, tmp_path: Path) -> None:
    rebuild(salon, drafts=True)
    with pytest.raises(BuildFailed) as refused:
        publish(salon, f"folder:{tmp_path / 'www'}")
    assert "--drafts" in refused.value.diagnostics[0].message
    assert not (tmp_path / "www").exists()
    rebuild(salon)
    publish(salon, f"folder:{tmp_path / 'www'}")  # built again without drafts: fine


def test_a_site_older_than_its_files_is_refused(salon: Path, tmp_path: Path) -> None:
    note = salon / "content/notes/2026-03-01-first.md"
    note.write_text(NOTE.format(title="First, edited", day=1))
    with pytest.raises(BuildFailed) as refused:
        publish(salon, f"folder:{tmp_path / 'www'}")
    assert "not up to date" in refused.value.diagnostics[0].message
    note.write_text("---\ntitle: Broken\ndate: 2026-02-30\n---\n")  # a failed build
    with pytest.raises(BuildFailed):
        rebuild(salon)
    with pytest.raises(BuildFailed) as refused:
        publish(salon, f"folder:{tmp_path / 'www'}")
    assert "not up to date" in refused.value.diagnostics[0].message
    assert not (tmp_path / "www").exists()


def test_a_salon_never_built_is_refused(make_salon: Callable[..., Path], tmp_path: Path) -> None:
    root = make_salon(FILES)
    with pytest.raises(BuildFailed) as refused:
        publish(root, f"folder:{tmp_path / 'www'}")
    assert "no record of a build" in refused.value.diagnostics[0].message


# --- after the deploy ----------------------------------------------------------------------


def test_the_after_deploy_steps_run_in_order_and_a_failing_one_is_a_warning(
    salon: Path, tmp_path: Path
) -> None:
    seen: list[tuple[str, bool | None]] = []

    def first(done: deploy.Deployed) -> deploy.StepReport:
        seen.append(("first", done.changed))
        return deploy.StepReport(lines=("first ran",))

    def broken(done: deploy.Deployed) -> deploy.StepReport:
        raise RuntimeError("the hub is down")

    def last(done: deploy.Deployed) -> deploy.StepReport:
        seen.append(("last", done.changed))
        return deploy.StepReport()

    report = publish(salon, f"folder:{tmp_path / 'www'}", after=(first, broken, last))
    assert seen == [("first", True), ("last", True)]
    assert report.steps[0].lines == ("first ran",)
    (warning,) = report.steps[1].diagnostics
    assert warning.severity == "warning" and "the hub is down" in warning.message
    # the real ones: the Webmentions, and the hub ping only when a hub is configured
    assert len(deploy.after_deploy_steps(salon, config_of(salon), NOW)) == 1


# --- a git branch --------------------------------------------------------------------------


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
    return done.stdout


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def branch_files(repo: Path, branch: str) -> dict[str, bytes]:
    names = git(f"--git-dir={repo}", "ls-tree", "-r", "--name-only", branch).split("\n")
    return {
        n: subprocess.run(
            ["git", f"--git-dir={repo}", "show", f"{branch}:{n}"], capture_output=True, check=True
        ).stdout
        for n in names
        if n
    }


@needs_git
def test_a_git_branch_gets_a_commit_per_change_and_keeps_its_history(
    salon: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "pages.git"
    git("init", "--bare", "-q", str(repo))
    toml = salon / "salon.toml"
    deploy_table = f'\n[deploy]\ntarget = "git:gh-pages"\nrepository = "{repo}"\n'
    toml.write_text(MINIMAL_CONFIG + deploy_table)
    rebuild(salon)  # salon.toml changed: build again before deploying

    first = publish(salon, "git:gh-pages")
    assert first.deployed.changed is True
    site = files_of(salon / "site")
    assert branch_files(repo, "gh-pages") == {**site, ".nojekyll": b""}
    assert git(f"--git-dir={repo}", "rev-list", "--count", "gh-pages").strip() == "1"
    author = git(f"--git-dir={repo}", "log", "-1", "--format=%an", "gh-pages").strip()
    assert author  # the environment's, else the salon's author

    again = publish(salon, "git:gh-pages")
    assert again.deployed.changed is False
    assert git(f"--git-dir={repo}", "rev-list", "--count", "gh-pages").strip() == "1"

    (salon / "content/notes/2026-03-02-second.md").unlink()
    rebuild(salon)
    publish(salon, "git:gh-pages")
    history = git(f"--git-dir={repo}", "rev-list", "gh-pages").split()
    assert len(history) == 2
    assert git(f"--git-dir={repo}", "rev-parse", "gh-pages~1").strip() == history[1]
    now = branch_files(repo, "gh-pages")
    assert "notes/second/index.html" not in now
    assert now == {**files_of(salon / "site"), ".nojekyll": b""}
    assert git(f"--git-dir={repo}", "for-each-ref", "--format=%(refname)") == (
        "refs/heads/gh-pages\n"  # nothing else pushed
    )


@needs_git
def test_the_salons_own_repository_gets_the_branch_and_its_work_tree_is_untouched(
    salon: Path,
) -> None:
    git("-C", str(salon), "init", "-q", "-b", "main")
    git("-C", str(salon), "add", "content", "salon.toml")
    git("-C", str(salon), "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qm", "src")
    before = git("-C", str(salon), "status", "--porcelain")
    publish(salon, "git:gh-pages")  # repository defaults to "." (the salon folder)
    files = git("-C", str(salon), "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert "index.html" in files and "notes/first/index.html" in files
    message = git("-C", str(salon), "log", "-1", "--format=%B", "gh-pages")
    assert git("-C", str(salon), "rev-parse", "main").strip() in message
    assert git("-C", str(salon), "status", "--porcelain") == before
    assert git("-C", str(salon), "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


# --- rsync ---------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_rsync_to_a_local_path_makes_an_exact_copy(salon: Path, tmp_path: Path) -> None:
    dest = tmp_path / "rsynced"
    dest.mkdir()
    (dest / "stale.html").write_text("gone after the deploy\n")
    publish(salon, f"rsync:{dest}/")
    assert files_of(dest) == files_of(salon / "site")


# --- the command ---------------------------------------------------------------------------


def test_the_command_deploys_or_says_why_not(salon: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["deploy", "-s", str(salon), "--now", NOW.isoformat()])
    assert missing.exit_code == 2 and "no target" in missing.output
    bad = runner.invoke(main, ["deploy", "-s", str(salon), "--to", "ftp:x"])
    assert bad.exit_code == 2 and "KIND:WHERE" in bad.output
    dest = tmp_path / "www"
    done = runner.invoke(
        main, ["deploy", "-s", str(salon), "--to", f"folder:{dest}", "--now", NOW.isoformat()]
    )
    assert done.exit_code == 0, done.output
    assert f"deployed to {dest}" in done.output
    rebuild(salon, drafts=True)
    refused = runner.invoke(
        main, ["deploy", "-s", str(salon), "--to", f"folder:{dest}", "--now", NOW.isoformat()]
    )
    assert refused.exit_code == 1
    assert "built with --drafts" in refused.output


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("folder:/srv/www", True),
        ("folder:public", True),
        ("rsync:me@host:/var/www/", True),
        ("rsync:/local/path", True),
        ("git:gh-pages", True),
        ("rsync:relative", False),
        ("git:../x", False),
        ("folder:-rf", False),
        ("s3:bucket", False),
        ("gh-pages", False),
    ],
)
def test_deploy_targets_are_checked(value: str, ok: bool) -> None:
    if ok:
        assert deploy.parse_target(value).kind == value.split(":", 1)[0]
    else:
        with pytest.raises(ValueError):
            deploy.parse_target(value)


def test_a_bad_target_in_salon_toml_is_a_config_error_with_its_line(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon(config=MINIMAL_CONFIG + '\n[deploy]\ntarget = "gh-pages"\n')
    with pytest.raises(BuildFailed) as failed:
        checked_config(root)
    (problem,) = failed.value.diagnostics
    assert problem.path == "salon.toml" and problem.line == 11
    assert "KIND:WHERE" in problem.message


# --- the CI workflow -----------------------------------------------------------------------


def test_init_ci_github_writes_a_workflow_that_caches_the_feed_store(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["init", "--ci", "github", str(tmp_path / "s")])
    assert made.exit_code == 0, made.output
    path = tmp_path / "s" / ".github" / "workflows" / "salon.yml"
    flow = yaml.safe_load(path.read_text(encoding="utf-8"))
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"].split()[1:] == ["*", "*", "*", "*"]  # hourly
    steps = flow["jobs"]["build"]["steps"]
    (cache,) = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert ".salon/feeds.sqlite" in cache["with"]["path"].split()
    assert ".salon/entry-ids.json" in cache["with"]["path"].split()  # ids that never change
    assert "${{ github.run_id }}" in cache["with"]["key"]  # saved anew every run
    assert cache["with"]["restore-keys"].strip() == "salon-feeds-"
    runs = [s["run"] for s in steps if "run" in s]
    assert runs.index("salon fetch") < runs.index("salon build --offline")
    assert "salon deploy --to folder:_site --no-notify" in runs
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload and upload[0]["with"]["path"] == "_site"
    assert flow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    # once live: mentions and the hub, with the sent record in the same cache
    notify = flow["jobs"]["notify"]
    assert notify["needs"] == "deploy"
    notify_runs = [s["run"] for s in notify["steps"] if "run" in s]
    assert notify_runs.index("salon build --offline") < notify_runs.index("salon mention")
    (kept,) = [s for s in notify["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert ".salon/webmentions.json" in kept["with"]["path"].split()
    assert ".salon/entry-ids.json" in kept["with"]["path"].split()  # the same ids, the same bytes
    assert "@SALON_VERSION@" not in path.read_text(encoding="utf-8")

    # into an existing salon: only the workflow, and never over one that is there
    path.unlink()
    toml = (tmp_path / "s" / "salon.toml").read_bytes()
    again = runner.invoke(main, ["init", "--ci", "github", str(tmp_path / "s")])
    assert again.exit_code == 0 and path.exists()
    assert (tmp_path / "s" / "salon.toml").read_bytes() == toml
    twice = runner.invoke(main, ["init", "--ci", "github", str(tmp_path / "s")])
    assert twice.exit_code == 1 and "never overwrites" in twice.output


@needs_git
def test_a_repository_that_is_not_one_is_named(salon: Path) -> None:
    with pytest.raises(BuildFailed) as refused:
        publish(salon, "git:gh-pages")  # the salon folder, which is no git repository
    (problem,) = refused.value.diagnostics
    assert "is not a git repository: nowhere to push gh-pages" in problem.message
    assert not (salon / ".salon" / "deploy.git").exists()
