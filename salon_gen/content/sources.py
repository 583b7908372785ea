"""Reading the salon folder: the only module that reads content from disk.

Owns the layout of a salon (`salon.toml`, `content/notes|shares|pages|people|static`,
`themes/<name>/`) and turns it into `SourceFile` values, and finds page bundles (a folder
under notes/, shares/ or pages/ with an `index.md`: its other files are `Resource`s published
beside the page). Must not parse Markdown or front matter; it only finds files and decodes
them (reporting undecodable ones with their line).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from salon_gen.content.bundles import INDEX_NAMES, Resource, bundle_folders, in_bundle
from salon_gen.core.errors import BuildFailed, Diagnostic, has_errors
from salon_gen.core.model import Config, StaticFile

CONFIG_FILE = "salon.toml"
CONTENT_DIR = "content"
THEMES_DIR = "themes"  # the salon's own themes, each overriding the default's templates
KINDS = ("notes", "shares", "pages", "people")
# Editors' temporary and backup files: never content (vim swap, emacs lock/backup, Office).
_IGNORED_PREFIXES = (".", "#", "~$")
_IGNORED_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", "#")


# Only regular files are read or copied, and only up to these sizes: a FIFO would hang the
# build, a link to a device or a huge file would fill the memory or the disk.
TEXT_CAP = 10 * 1024 * 1024  # a Markdown source, salon.toml, a template
STATIC_CAP = 512 * 1024 * 1024  # a static file or a bundle's file, copied as it is
_KINDS_OF_FILE = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)

Stamp = tuple[int, int, int]  # (mtime_ns, size, inode): what says a file may have changed


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    path: str  # relative to the salon folder, forward slashes
    text: str
    stamp: Stamp = (0, 0, 0)  # as the file was when read


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def stamp_of(path: str) -> Stamp:
    """The stamp of the file at `path` now; (0, 0, 0) when it cannot be read."""
    try:
        return _stamp(os.stat(path))
    except OSError:
        return (0, 0, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceTree:
    notes: tuple[SourceFile, ...]
    shares: tuple[SourceFile, ...]
    pages: tuple[SourceFile, ...]
    people: tuple[SourceFile, ...]
    statics: tuple[StaticFile, ...]
    resources: tuple[Resource, ...] = ()  # the files of page bundles, by bundle then path


def is_ignored(name: str) -> bool:
    """True for hidden files and editors' temporary files."""
    return name.startswith(_IGNORED_PREFIXES) or name.endswith(_IGNORED_SUFFIXES)


def read_config(root: Path) -> str | None:
    """The text of salon.toml, or None when the folder has none; BuildFailed when it is
    there but cannot be read as text (not UTF-8: TOML is UTF-8 by its spec)."""
    try:
        raw = (root / CONFIG_FILE).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise BuildFailed(
            [Diagnostic(path=CONFIG_FILE, message=f"cannot read: {e.strerror or e}")]
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BuildFailed([not_utf8(CONFIG_FILE, raw, e)]) from None


def not_utf8(rel: str, raw: bytes, e: UnicodeDecodeError) -> Diagnostic:
    """The diagnostic for a file that is not UTF-8, at the line and column of the first
    byte that is not (the column counts the characters before it, as an editor does)."""
    start = raw.rfind(b"\n", 0, e.start) + 1
    before = raw[start : e.start].decode("utf-8", "replace")
    return Diagnostic(
        path=rel,
        line=raw.count(b"\n", 0, e.start) + 1,
        col=len(before) + 1,
        message=f"file is not valid UTF-8 (byte 0x{raw[e.start]:02x})",
        hint="save the file as UTF-8 (in most editors: 'Save with encoding', UTF-8)",
    )


def load_config(root: Path) -> tuple[Config | None, tuple[Diagnostic, ...]]:
    """salon.toml parsed, with its diagnostics; BuildFailed when the folder has none."""
    from salon_gen.core.config import parse_config

    text = read_config(root)
    if text is None:
        raise BuildFailed(
            [
                Diagnostic(
                    path=CONFIG_FILE,
                    message=f"no salon.toml in {root}",
                    hint="run 'salon init DIR' to start a new salon, or pass --source DIR",
                )
            ]
        )
    return parse_config(text, CONFIG_FILE)


def checked_config(root: Path) -> tuple[Config, tuple[Diagnostic, ...]]:
    """salon.toml read and checked (its warnings kept), or BuildFailed with its errors."""
    config, diagnostics = load_config(root)
    if config is None or has_errors(diagnostics):
        raise BuildFailed(diagnostics)
    return config, diagnostics


def walk(folder: Path, within: Path | None = None) -> list[Path]:
    """Every regular file under `folder`, sorted, skipping hidden and temporary files.

    Symlinks are followed only when they resolve inside `within` (the salon folder; default
    `folder`): BuildFailed names every one that points outside it, at nothing, or in a loop.
    """
    found, problems = _walk(folder, within or folder)
    if problems:
        raise BuildFailed(problems)
    return found


def _walk(folder: Path, within: Path) -> tuple[list[Path], list[Diagnostic]]:
    """`walk`, its problems returned rather than raised."""
    diags: list[Diagnostic] = []
    rels = _scan_from(within, folder, _is_static, True, diags, STATIC_CAP)
    return [within / rel for rel in rels], diags


def _is_static(name: str) -> bool:
    """A static file's name that is published: not hidden, not an editor's temporary file."""
    return not is_ignored(name)


def _markdown_files(
    root: Path, folder: Path, recursive: bool, diags: list[Diagnostic]
) -> list[str]:
    """The Markdown files under `folder` as paths relative to `root` ("content/notes/x.md"),
    in the order `walk` gives, the symlinks among them checked as `walk` checks them (into
    `diags`). Strings, not Paths: a preview lists ten thousand of these on every rebuild."""
    return _scan_from(root, folder, _is_markdown, recursive, diags, TEXT_CAP)


def _scan_from(
    root: Path,
    folder: Path,
    keep: Callable[[str], bool],
    recursive: bool,
    diags: list[Diagnostic],
    cap: int,
) -> list[str]:
    """The files under `folder` whose names `keep` accepts, relative to `root`, sorted.

    Nothing outside the salon folder is ever published: a symlink (the folder itself, one of
    its folders or files) is followed only when it resolves inside `root`; one that points
    outside, at nothing, or back at a folder it is in is an error in `diags`, not followed.
    """
    try:
        rel = folder.relative_to(root).as_posix()
    except ValueError:
        rel = str(folder)
    root_real = os.path.realpath(root)
    if not os.path.lexists(folder):
        return []
    real, problem = _resolve(root_real, str(folder), rel)
    if problem is not None:
        diags.append(problem)
        return []
    if not os.path.isdir(real):
        return []
    problems: list[Diagnostic] = []
    found = _scan(root_real, str(folder), rel, keep, recursive, problems, (real,), cap)
    diags += sorted(problems, key=lambda d: d.path.split("/"))
    return sorted(found, key=lambda r: r.split("/"))


def _scan(
    root_real: str,
    folder: str,
    rel: str,
    keep: Callable[[str], bool],
    recursive: bool,
    diags: list[Diagnostic],
    above: tuple[str, ...],  # the real paths of `folder` and the folders it is in
    cap: int,  # the largest file accepted, in bytes
) -> list[str]:
    found: list[str] = []
    with os.scandir(folder) as entries:  # DirEntry knows a symlink without another stat
        for e in entries:
            try:
                is_dir = e.is_dir()  # a symlink to a folder counts as one
            except OSError:  # a loop of links: reported below as a file
                is_dir = False
            if (not recursive or e.name.startswith(".")) if is_dir else not keep(e.name):
                continue
            path = f"{rel}/{e.name}"
            if not is_utf8_name(e.name):
                diags.append(
                    Diagnostic(
                        path=printable(path),
                        message="file name is not valid UTF-8: it cannot be a URL or a file "
                        "name on every system",
                        hint="rename it (e.g. with 'convmv -f latin1 -t utf8 --notest')",
                    )
                )
                continue
            real = ""  # where a folder really is; found only for folders and links
            if e.is_symlink():
                resolved, problem = _resolve(root_real, e.path, path)
                if problem is None and is_dir and resolved in above:
                    problem = Diagnostic(
                        path=path,
                        message="symlink loops: it points at a folder it is in",
                        hint="remove the link",
                    )
                if problem is not None:
                    diags.append(problem)
                    continue
                real = resolved
            if is_dir:
                real = real or os.path.join(above[-1], e.name)
                found += _scan(root_real, e.path, path, keep, recursive, diags, (*above, real), cap)
            else:
                problem = not_readable(path, e.path, cap)
                if problem is None:
                    found.append(path)
                else:
                    diags.append(problem)
    return found


def is_utf8_name(name: str) -> bool:
    """False for a name the file system gave as bytes that are not UTF-8 (Python hands those
    over with surrogate escapes, which no later step can encode)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(path: str) -> str:
    """`path` with the bytes of a non-UTF-8 name shown as \\xNN, so it can be printed."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def not_readable(rel: str, path: str, cap: int) -> Diagnostic | None:
    """Why the file at `path` (symlinks followed) may not be read or copied: it is not a
    regular file, or it is over `cap` bytes; None when it may."""
    try:
        st = os.stat(path)
    except OSError as e:
        return Diagnostic(path=rel, message=f"cannot read: {e.strerror or e}")
    return refused(rel, st, cap)


def refused(rel: str, st: os.stat_result, cap: int) -> Diagnostic | None:
    """`not_readable` for a file already stat'ed (pure)."""
    if not stat.S_ISREG(st.st_mode):
        kind = next((word for test, word in _KINDS_OF_FILE if test(st.st_mode)), "not a file")
        return Diagnostic(
            path=rel,
            message=f"not a regular file ({kind}): salon reads and copies only regular files",
            hint="remove it, or put a regular file in its place",
        )
    if st.st_size > cap:
        return Diagnostic(
            path=rel,
            message=f"too large: {st.st_size:,} bytes, over the limit of {_size(cap)}",
            hint="make it smaller, or publish it from elsewhere and link to it",
        )
    return None


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"


def _resolve(root_real: str, path: str, rel: str) -> tuple[str, Diagnostic | None]:
    """Where `path` really is, or why it may not be read: it resolves outside the salon
    folder (`root_real`), at nothing, or in a loop of links."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as e:
        if e.errno == errno.ELOOP:
            message = "symlink loops: following it never ends"
        else:
            message = f"symlink points at nothing ({_target(path)})"
        return "", Diagnostic(path=rel, message=message, hint="remove the link, or fix its target")
    if real != root_real and not real.startswith(root_real.rstrip(os.sep) + os.sep):
        return real, Diagnostic(
            path=rel,
            message=f"symlink points outside the salon folder ({real}): refusing to publish it",
            hint="copy the file into the salon folder instead of linking to it",
        )
    return real, None


def _target(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _is_markdown(name: str) -> bool:
    return not is_ignored(name) and name.lower().endswith((".md", ".markdown"))


def _page_bundles(root: Path, folder: Path, diags: list[Diagnostic]) -> list[str]:
    """The bundles' pages one level down in `folder` (content/pages/<name>/index.md): pages
    are read from the folder itself, not recursively. Each sub-folder is listed as
    `_markdown_files` lists any (its symlinks checked the same way)."""
    found: list[str] = []
    with os.scandir(folder) as entries:
        subs = sorted(e.path for e in entries if e.is_dir() and not is_ignored(e.name))
    for sub in subs:
        names = _markdown_files(root, Path(sub), False, diags)
        found += (rel for rel in names if rel.rsplit("/", 1)[-1] in INDEX_NAMES)
    return found


def _bundle_files(
    root: Path, folders: set[str], found: set[str]
) -> tuple[list[str], list[Resource], list[Diagnostic]]:
    """Each bundle's page, its other files as resources, and a warning for each Markdown
    file inside it: Hugo counts those as resources, not pages; salon publishes them as
    neither (a draft's text, copied raw, would be exactly what must not go live)."""
    pages: list[str] = []
    resources: list[Resource] = []
    diags: list[Diagnostic] = []
    for folder in sorted(folders):
        index = next(f"{folder}/{n}" for n in INDEX_NAMES if f"{folder}/{n}" in found)
        pages.append(index)
        files, problems = _walk(root / folder, root)
        diags += problems
        for p in files:
            rel = p.relative_to(root).as_posix()
            if rel == index:
                continue
            if _is_markdown(p.name):
                diags.append(
                    Diagnostic(
                        path=rel,
                        severity="warning",
                        message=f"not published: a Markdown file inside the page bundle {folder}/",
                        hint="a bundle is one page (its index.md) and its files; move this "
                        "file out of the folder to make it a page of its own",
                    )
                )
                continue
            inside = rel[len(folder) + 1 :]
            resources.append(Resource(bundle=index, path=inside, source=str(p)))
    return pages, resources, diags


def _content_markdown(
    root: Path, folder: Path, recursive: bool
) -> tuple[list[str], list[Resource], list[Diagnostic]]:
    """The Markdown files of one kind's folder to read as items (a bundle's index.md, not
    the other Markdown files inside it), and the bundles' resources."""
    diags: list[Diagnostic] = []
    found = _markdown_files(root, folder, recursive, diags)
    base = folder.relative_to(root).as_posix()
    if not folder.is_dir() or any(d.path == base for d in diags):
        return found, [], diags  # no folder, or one that may not be read (a symlink outside)
    if not recursive:
        found += _page_bundles(root, folder, diags)
    folders = bundle_folders(found, base)
    if not folders:
        return found, [], diags
    pages, resources, problems = _bundle_files(root, folders, set(found))
    seen = {(d.path, d.message) for d in diags}  # a bundle's symlinks, met twice
    diags += (d for d in problems if (d.path, d.message) not in seen)
    plain = [p for p in found if not in_bundle(p, folders, base)]
    paths = sorted([*plain, *pages], key=lambda rel: rel.split("/"))
    return paths, resources, diags


def _read_markdown(
    root: Path, paths: list[str], known: Mapping[str, SourceFile]
) -> tuple[list[SourceFile], list[Diagnostic]]:
    files: list[SourceFile] = []
    diags: list[Diagnostic] = []
    prefix = str(root) + os.sep
    for rel in paths:
        p = prefix + rel
        before = known.get(rel)
        if before is not None:
            try:
                if _stamp(os.stat(p)) == before.stamp:
                    files.append(before)  # the very value read last time: unchanged
                    continue
            except OSError:
                pass
        # O_NONBLOCK: a FIFO put in the file's place since the scan must not hang the build;
        # the fstat then refuses it, or a file grown too large, before anything is read.
        try:
            fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as e:
            diags.append(Diagnostic(path=rel, message=f"cannot read: {e.strerror or e}"))
            continue
        with open(fd, "rb") as handle:
            st = os.fstat(fd)
            problem = refused(rel, st, TEXT_CAP)
            if problem is not None:
                diags.append(problem)
                continue
            stamp = _stamp(st)
            raw = handle.read(TEXT_CAP + 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            diags.append(not_utf8(rel, raw, e))
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        files.append(SourceFile(path=rel, text=text, stamp=stamp))
    return files, diags


def read_content(
    root: Path, kinds: tuple[str, ...] = KINDS, *, known: Mapping[str, SourceFile] | None = None
) -> tuple[SourceTree, tuple[Diagnostic, ...]]:
    """Read every content file of the salon at `root` (or only those of `kinds`).

    `known` (path -> the SourceFile read before) lets a long-running caller skip reading
    files whose stamp is unchanged: it gets the very same value back. A caller that knows a
    file changed (a watcher said so) leaves it out of `known`: stamps can miss an edit that
    keeps the size within the file system's timestamp granularity.
    """
    content = root / CONTENT_DIR
    diags: list[Diagnostic] = []
    found: dict[str, tuple[SourceFile, ...]] = {k: () for k in KINDS}
    resources: list[Resource] = []
    for kind in kinds:
        if kind == "people":
            paths = _markdown_files(root, content / kind, False, diags)
        else:
            recursive = kind in ("notes", "shares")
            paths, bundled, problems = _content_markdown(root, content / kind, recursive)
            resources += bundled
            diags.extend(problems)
        files, problems = _read_markdown(root, paths, known or {})
        found[kind] = tuple(files)
        diags.extend(problems)
    found_statics, problems = _walk(content / "static", root) if kinds == KINDS else ([], [])
    diags.extend(problems)
    if kinds == KINDS:
        diags.extend(stray_markdown(root))
    statics = tuple(
        StaticFile(source=str(p), dest=p.relative_to(content).as_posix()) for p in found_statics
    )
    return SourceTree(statics=statics, resources=tuple(resources), **found), tuple(diags)


_READ_FOLDERS = (*KINDS, "static")


def stray_markdown(root: Path) -> list[Diagnostic]:
    """A warning for Markdown that salon reads in no way: a file directly in content/, or in a
    folder that is none of KINDS nor static/ (content/note/, content/Notes/), with the folder
    it was likely meant for. One warning per folder, at its first file, saying how many more."""
    import difflib  # here, not at the top: the no-change fast path never imports sources

    content = root / CONTENT_DIR
    try:
        with os.scandir(content) as entries:
            listed = sorted((e.name, e.is_dir()) for e in entries if not is_ignored(e.name))
    except OSError:
        return []
    diags: list[Diagnostic] = []
    for name, is_dir in listed:
        if is_dir and (name in _READ_FOLDERS or _same_folder(content, name)):
            continue
        if is_dir:
            found = sorted(
                os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/")
                for d, subs, files in os.walk(content / name)
                if not any(is_ignored(part) for part in Path(d).relative_to(content).parts)
                for f in files
                if _is_markdown(f)
            )
            if not found:
                continue  # images, say: nothing salon would have read as a page
            close = difflib.get_close_matches(name.casefold(), _READ_FOLDERS, n=1, cutoff=0.75)
            more = f" (and {len(found) - 1} more Markdown file(s) there)" if found[1:] else ""
            message = f"salon reads no folder 'content/{name}/'{more}"
            if close:
                message += f": did you mean 'content/{close[0]}/'?"
            diags.append(
                Diagnostic(
                    path=found[0],
                    severity="warning",
                    message=message,
                    hint=None if close else _WHERE_HINT,
                )
            )
        elif _is_markdown(name):
            diags.append(
                Diagnostic(
                    path=f"{CONTENT_DIR}/{name}",
                    severity="warning",
                    message="salon reads no Markdown file directly in content/",
                    hint=_WHERE_HINT,
                )
            )
    return diags


def _same_folder(content: Path, name: str) -> bool:
    """content/Notes/ on a file system that ignores case is content/notes/, read as such."""
    low = name.casefold()
    try:
        return low in _READ_FOLDERS and os.path.samefile(content / name, content / low)
    except OSError:
        return False


_WHERE_HINT = (
    "notes go in content/notes/, shares in content/shares/, pages in content/pages/, people "
    "in content/people/; content/static/ is copied as it is"
)


def theme_statics(theme_dir: Path, within: Path | None = None) -> tuple[StaticFile, ...]:
    """A theme's static files, published under site/theme/. BuildFailed for a symlink that
    resolves outside `within` (the salon folder; default the theme's own)."""
    static = theme_dir / "static"
    return tuple(
        StaticFile(source=str(p), dest="theme/" + p.relative_to(static).as_posix())
        for p in walk(static, within or theme_dir)
    )


def theme_files(root: Path, theme: str | None) -> tuple[Path | None, tuple[StaticFile, ...]]:
    """The project theme's template folder (if any) and its static files (→ site/theme/)."""
    if not theme:
        return None, ()
    base = root / "themes" / theme
    templates = base / "templates"
    _, problems = _walk(templates, root)  # Jinja would read a template linked from outside
    try:
        statics = theme_statics(base, root)
    except BuildFailed as failed:
        problems += failed.diagnostics
    if problems:
        raise BuildFailed(problems)
    return (templates if templates.is_dir() else None), statics
