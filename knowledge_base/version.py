"""A knowledge base version's name: a short hash of the files it is read from.

The bot logs it at start and at every reload and `triagem kb lint` prints it, so an editor (or
an operator with several workers) can tell which version is running where.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .loader import ARTICLES_DIR


def content_version(root: Path) -> str:
    """A short hash of every file the knowledge base is read from (names and bytes)."""
    digest = hashlib.sha256()
    files = [*sorted(root.glob("*.toml")), *sorted((root / ARTICLES_DIR).glob("*.md"))]
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:  # removed while hashing: the next change reloads again
            digest.update(b"\0missing")
        digest.update(b"\0")
    return digest.hexdigest()[:12]
