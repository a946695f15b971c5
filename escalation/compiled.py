"""A compiled lexicon kept on disk, so each server process does not spend seconds rebuilding it.

Building expands and normalises every phrase (hundreds of thousands); loading the pickled result
takes a tenth of a second. The cache key covers the lexicon files, the code that compiles them and
the languages, so any change rebuilds. The folder is the operator's own (created 0700): a pickle is
only ever read from where this service itself wrote it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

from escalation.lexicon import LEXICON_DIR, Lexicon, load_lexicon

log = logging.getLogger(__name__)

_SOURCES = Path(__file__).resolve().parent


def cache_key(languages: tuple[str, ...], directory: Path = LEXICON_DIR) -> str:
    digest = hashlib.sha256(repr(languages).encode())
    for path in sorted([*directory.iterdir(), *_SOURCES.glob("*.py")]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def load_compiled(languages: Iterable[str], cache_dir: Path | None) -> Lexicon:
    languages = tuple(languages)
    if cache_dir is None:
        return load_lexicon(languages)
    path = cache_dir / f"lexicon-{cache_key(languages)}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)  # written by this service only (see module docstring)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a truncated or stale file: rebuild it
        log.warning("compiled lexicon unreadable (%s); rebuilding", type(exc).__name__)
    lexicon = load_lexicon(languages)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".lexicon-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(lexicon, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: concurrent starters never read half a file
        for old in cache_dir.glob("lexicon-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not keep the compiled lexicon (%s); each start rebuilds it", type(exc).__name__)
    return lexicon
