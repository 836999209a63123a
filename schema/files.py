"""The data dir and what PushNest writes there (database, secrets, locks): its own user's alone.

The directory is 0700 and every file 0600, whatever the umask: the SQLite file holds password
hashes, API key hashes and sealed channel secrets, and `secrets.json` the keys that open them.
Files left wider by an older version are narrowed on start. SQLite gives its journal files
(`-wal`, `-shm`) the database file's mode, so creating the database 0600 covers them too.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import IO

log = logging.getLogger("pushnest")

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (0700), or narrow it to 0700 if it lets others in."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _narrow(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty (0600) unless it exists, and narrow it to 0600 if it lets others in."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    _narrow(path, FILE_MODE)
    return path


def open_private(path: Path) -> IO[str]:
    """Open (or create) `path` for appending, 0600: for lock files."""
    handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE), "a")
    _narrow(path, FILE_MODE)
    return handle


def narrow_if_present(path: Path) -> None:
    """Narrow an existing file to 0600 (a journal an older version left readable)."""
    if path.exists():
        _narrow(path, FILE_MODE)


def _narrow(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if not current & ~mode:
        return
    try:
        os.chmod(path, current & mode)
    except PermissionError:
        # Not ours (a path an operator chose, say): say so rather than refuse to start.
        log.warning("%s is open to other users (mode %o) and cannot be narrowed by this user", path, current)
