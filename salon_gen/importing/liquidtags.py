"""Pelican's liquid_tags plugin (`{% notebook x.ipynb %}`, `{% img %}`, `{% video %}`,
`{% youtube %}`, `{% vimeo %}`, `{% include_code %}`, `{% literal %}`), as salon Markdown.

salon does not render notebooks or include files inline: a notebook or a code file becomes
a link to the file (copied into the salon by the links pass that follows), reported on its
line. Paths are written root-relative (`/downloads/notebooks/x.ipynb`): the Pelican reader
serves its content folder at the root. Any other `{% tag %}` is left to `fallback.liquid`.

Pure: works on a `convert.Body`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from salon_gen.importing import convert

_TAG = re.compile(
    r"\{%-?\s*(notebook|img|video|youtube|vimeo|include_code|literal)\s+(.*?)\s*-?%\}"
)
_SIZE = re.compile(r"^\d+(?:px|%)?$")
_QUOTED = re.compile(r'"([^"]*)"')


def _root(path: str, folder: str) -> str:
    """A path written in a tag, as a root-relative URL (under `folder` unless rooted)."""
    if path.startswith(("/", "http://", "https://")):
        return path
    return "/" + posixpath.join(folder.strip("/"), path) if folder.strip("/") else "/" + path


def _img(args: str) -> str | None:
    words = args.split()
    while words and not (words[0].startswith(("/", "http")) or "." in words[0]):
        words.pop(0)  # classes: "left", "center"
    if not words:
        return None
    src, rest = words[0], words[1:]
    while rest and _SIZE.match(rest[0]):
        rest.pop(0)
    text = " ".join(rest)
    quoted = _QUOTED.findall(text)
    title = quoted[0] if quoted else text
    alt = quoted[1] if len(quoted) > 1 else title
    return f"![{convert.md_text(alt)}]({src})"


def _video(args: str) -> str | None:
    words = [w for w in args.split() if not _SIZE.match(w)]
    if not words:
        return None
    src = words[0]
    poster = next((w for w in words[1:] if "." in w), None)
    label = posixpath.basename(src)
    if poster:
        return f"[![video {convert.md_text(label)}]({poster})]({src})"
    return f"[video {convert.md_text(label)}]({src})"


def liquid_tags(body: convert.Body, settings: Mapping[str, str]) -> None:
    """`settings`: NOTEBOOK_DIR and CODE_DIR, as the plugin reads them."""
    notebooks = settings.get("NOTEBOOK_DIR", "notebooks")
    code = settings.get("CODE_DIR", "code")

    def one(m: re.Match[str], line: int) -> str:
        name, args = m.group(1), m.group(2)
        words = args.split()
        out: str | None = None
        if name == "literal":
            return body.protect(f"`{{% {args} %}}`")  # shown, as the plugin shows it
        if name == "notebook" and words:
            path = words[0]
            out = (
                f"[notebook {convert.md_text(posixpath.basename(path))}]({_root(path, notebooks)})"
            )
            body.warn(line, f"notebook '{path}' is not shown inline; linked to the file")
        elif name == "include_code" and words:
            path = words[0]
            title = " ".join(w for w in words[1:] if not w.startswith("lang:")) or path
            out = f"[{convert.md_text(title)}]({_root(path, code)})"
            body.warn(line, f"code file '{path}' is not shown inline; linked to the file")
        elif name == "img":
            out = _img(args)
        elif name == "video":
            out = _video(args)
        elif name == "youtube" and words:
            out = f"[YouTube video](https://www.youtube.com/watch?v={words[0]})"
        elif name == "vimeo" and words:
            out = f"[Vimeo video](https://vimeo.com/{words[0]})"
        if out is None:
            return m.group(0)  # fallback.liquid drops it, and says so
        return convert.pad(out, m.group(0))

    body.sub(_TAG, one)
