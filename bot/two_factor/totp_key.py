"""The key that seals agents' TOTP secrets: `[desk] totp_key`, else a key file of its own."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.config import StorageConfig

log = logging.getLogger(__name__)
KEY_FILE_NAME = "totp.key"


class KeyUnavailable(Exception):
    """No key opens (or seals) the secrets; the message is one line for the operator."""


def key_file_for(storage_url: str) -> Path:
    """`totp.key` in the data directory: beside a SQLite database file, else (PostgreSQL,
    in-memory or URI SQLite) where the default SQLite store lives, ./data."""
    url = make_url(storage_url)
    database = url.database or ""
    a_file = url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if not a_file or database.startswith("file:"):
        database = make_url(StorageConfig().url).database or ""
    return Path(database).parent / KEY_FILE_NAME


class TotpKey:
    """The configured key, else the key file; the file is made (mode 0600) on first need."""

    def __init__(self, configured: SecretStr, path: Path) -> None:
        self.configured = configured
        self.path = path
        # Off once the store holds sealed secrets: a new key would not open them.
        self.may_create = True
        self._fernet: Fernet | None = None

    @property
    def source(self) -> str:
        """Where the key comes from, for the operator's messages."""
        return "[desk] totp_key" if self.configured.get_secret_value() else str(self.path)

    def fernet(self, *, create: bool) -> Fernet:
        """The key, loaded once; `create` allows making the key file when there is none."""
        if self._fernet is None:
            self._fernet = Fernet(self._load(create and self.may_create))
        return self._fernet

    def _load(self, create: bool) -> bytes:
        configured = self.configured.get_secret_value()
        if configured:
            return configured.encode()
        try:
            return self._read()
        except FileNotFoundError:
            if not create:
                raise KeyUnavailable(
                    f"{self.path} does not exist and [desk] totp_key is not set"
                ) from None
        try:
            return self._create()
        except FileExistsError:
            return self._read()  # another worker on this machine made it first

    def _read(self) -> bytes:
        try:
            key = self.path.read_bytes().strip()
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise KeyUnavailable(f"{self.path}: cannot read: {exc.strerror}") from None
        try:
            Fernet(key)
        except ValueError:
            raise KeyUnavailable(f"{self.path}: not a Fernet key") from None
        return key

    def _create(self) -> bytes:
        key = Fernet.generate_key()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a temporary name (mkstemp makes it 0600), then linked into place:
        # another worker never reads half a key, and an existing key file is never replaced.
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".totp-key-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.link(temporary, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        log.warning(
            "created %s for agents' TOTP secrets: back it up apart from the database", self.path
        )
        return key
