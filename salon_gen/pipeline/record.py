"""The build engine's record in `.salon/`: what one `salon build` hands the next.

Shell. Owns the record's file format: a magic line, an HMAC-SHA256 of the rest under a key
kept in this user's cache folder (outside every salon), then a pickle of the record's key and
the engine's memory. Pickle runs code when it loads, so a record is unpickled only when its
HMAC proves this user on this machine wrote it: a salon folder copied from elsewhere, or a
`.salon/` someone else made, is never trusted, only rebuilt. Anything unexpected (no key,
a torn file, another version of salon, another salon folder) loads as None: the engine
starts empty and the build is a clean one. Must not decide what a record holds.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import hashlib
import hmac
import io
import os
import pickle
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

_MAGIC = b"salon-engine-record 1\n"
_KEY_BYTES = 32


def cache_dir() -> Path:
    """This user's cache folder for salon ($XDG_CACHE_HOME/salon, else ~/.cache/salon):
    outside every salon, so what is kept there (the key, compiled templates) is this
    user's own."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "salon"


def _key_file() -> Path:
    return cache_dir() / "record.key"


def _secret(create: bool) -> bytes | None:
    """This user's record key; made (readable by this user only) when `create`."""
    path = _key_file()
    try:
        data = path.read_bytes()
        if len(data) == _KEY_BYTES:
            return data
    except OSError:
        pass
    if not create:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(_KEY_BYTES))
        os.replace(tmp, path)  # two builds racing here: one key wins, the other's record fails
        return path.read_bytes()
    except OSError:
        return None  # no cache folder to write: builds stay correct, only never incremental


def _proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_proxy(value: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _proxy, (dict(value),)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic collector off while a record is pickled or unpickled: it would scan the
    growing heap of new objects again and again (half the load time at 10,000 posts)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table[MappingProxyType] = _reduce_proxy
    pickler.dispatch_table = table
    pickler.dump(value)
    return buffer.getvalue()


def save(path: Path, key: tuple[object, ...], memory: dict[str, Any]) -> bool:
    """Write the record atomically; False (and no record) when it cannot be written."""
    secret = _secret(create=True)
    if secret is None:
        return False
    with _no_gc():
        data = _dumps((key, memory))
    tag = hmac.new(secret, data, hashlib.sha256).digest()
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(_MAGIC + tag)
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False
    return True


def load(path: Path, key: tuple[object, ...]) -> dict[str, Any] | None:
    """The memory the record at `path` holds, if this user wrote it for `key`; else None."""
    secret = _secret(create=False)
    if secret is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + hashlib.sha256().digest_size
    if not blob.startswith(_MAGIC) or len(blob) <= head:
        return None
    data = memoryview(blob)[head:]
    if not hmac.compare_digest(blob[len(_MAGIC) : head], hmac.digest(secret, data, "sha256")):
        return None
    try:
        with _no_gc():
            saved_key, memory = pickle.loads(data)
    except Exception:  # written by this user, yet unreadable (another Python?): rebuild
        return None
    if saved_key != key or not isinstance(memory, dict):
        return None
    return memory


def forget(path: Path) -> None:
    """Remove the record: from now until the next save, it would not describe the output."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
