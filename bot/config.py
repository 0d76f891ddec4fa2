"""Configuration: a TOML file, overridden by TRIAGEM_<SECTION>__<KEY> environment variables."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from cryptography.fernet import Fernet
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

ENV_PREFIX = "TRIAGEM_"
DEFAULT_FILE = Path("config.toml")
BUNDLED_KB = Path(__file__).resolve().parent.parent / "knowledge_base"
# A century: a longer retention is a typo (and a huge one overflows datetime arithmetic).
MAX_RETENTION_DAYS = 36_500


class ConfigError(Exception):
    """A configuration problem, phrased as one line for the operator."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelegramConfig(_Section):
    token: SecretStr = SecretStr("")
    api_base_url: str = "https://api.telegram.org"
    library: Literal["aiogram", "python-telegram-bot"] = "aiogram"
    mode: Literal["polling", "webhook"] = "polling"
    agent_chat_id: int | None = None
    webhook_url: str = ""
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: SecretStr = SecretStr("")
    poll_timeout: int = Field(default=30, ge=0, le=60)
    # Telegram's flood limits (its bot FAQ); lower them to be gentler, raise the overall one
    # only where Telegram allows more (paid broadcasts).
    messages_per_second: float = Field(default=30, gt=0, le=1000)
    chat_messages_per_second: float = Field(default=1, gt=0, le=100)
    group_messages_per_minute: float = Field(default=20, gt=0, le=6000)


class StorageConfig(_Section):
    url: str = "sqlite:///data/triagem.db"
    auto_upgrade: bool = True
    # Days `triagem db purge` keeps processed updates and finished outbox calls.
    retention_days: int = Field(default=30, ge=1, le=MAX_RETENTION_DAYS)


class KnowledgeBaseConfig(_Section):
    path: Path = BUNDLED_KB
    # Language of lint problems, in `triagem kb lint` and in the bot's reload log.
    lint_language: Literal["pt", "en"] = "pt"
    # The running bot reloads the knowledge base when its files change (README, "Editing").
    live_reload: bool = True


class DeskConfig(_Section):
    """The agents' desk in Telegram groups (see README, "Agents")."""

    trusted_hours: float = Field(default=12, gt=0, le=24 * 30)
    anonymous_replies: bool = False
    level2_chat_id: int | None = None
    offer_chat_ids: dict[str, int] = {}
    escalation_chat_ids: dict[str, int] = {}
    max_failed_codes: int = Field(default=5, ge=1, le=20)
    # Fernet key sealing agents' TOTP secrets in the store; empty: a key file in the data directory.
    totp_key: SecretStr = SecretStr("")

    @field_validator("totp_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value():
            try:
                Fernet(value.get_secret_value())
            except ValueError:
                raise ValueError("not a Fernet key (44 characters of url-safe base64)") from None
        return value


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class LogConfig(_Section):
    """What the bot logs and how (README, "Logs")."""

    # Triagem's own loggers (bot, storage, knowledge_base, flows).
    level: LogLevel = "INFO"
    # Every other logger (httpx, aiohttp, aiogram, telegram, sqlalchemy...): quiet by default.
    libraries: LogLevel = "WARNING"
    # "text": one readable line per record; "json": one JSON object per line (journald, Loki).
    format: Literal["text", "json"] = "text"

    @field_validator("level", "libraries", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class WebConfig(_Section):
    """The supervisors' page, /healthz, /readyz and /metrics (README, "Supervision")."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=1, le=65535)
    # /readyz fails when the oldest due outbox call has waited longer than this.
    outbox_stuck_seconds: int = Field(default=300, ge=10, le=86_400)
    # /readyz fails when getWebhookInfo reports an error more recent than this.
    webhook_error_seconds: int = Field(default=600, ge=10, le=86_400)
    # Hours a supervisor's login lasts.
    session_hours: float = Field(default=8, gt=0, le=24 * 7)


class ClocksConfig(_Section):
    """Resolution clocks (README, "Supervision"); how offers count is in clocks.toml."""

    # The warning goes out once this share of the target has run.
    warn_share: float = Field(default=0.8, ge=0.05, lt=1)


class Config(_Section):
    telegram: TelegramConfig = TelegramConfig()
    storage: StorageConfig = StorageConfig()
    knowledge_base: KnowledgeBaseConfig = KnowledgeBaseConfig()
    desk: DeskConfig = DeskConfig()
    log: LogConfig = LogConfig()
    web: WebConfig = WebConfig()
    clocks: ClocksConfig = ClocksConfig()


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the config file (explicit, TRIAGEM_CONFIG, ./config.toml or none) plus env overrides."""
    env = os.environ if environ is None else environ
    explicit = path is not None or bool(env.get(f"{ENV_PREFIX}CONFIG"))
    source = path or Path(env.get(f"{ENV_PREFIX}CONFIG") or DEFAULT_FILE)
    data: dict[str, Any] = {}
    if source.exists():
        data = _read_toml(source)
    elif explicit:
        raise ConfigError(f"{source}: config file not found")
    from_env = _apply_env(data, env)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        # An unknown section is reported by its name alone; the variable is what to name.
        where = from_env.get(key) or (str(source) if source.exists() else "defaults")
        raise ConfigError(f"{where}: {key}: {_describe(err)}") from None


def _read_toml(source: Path) -> dict[str, Any]:
    try:
        with source.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror}") from None


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """Overlay env variables onto the file's data; returns dotted key -> variable name."""
    applied: dict[str, str] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name == f"{ENV_PREFIX}CONFIG":
            continue
        section, sep, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if not sep or not key:
            raise ConfigError(f"environment: {name}: expected TRIAGEM_<SECTION>__<KEY>")
        target = data.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"environment: {name}: [{section}] is not a section")
        target[key] = value
        applied[f"{section}.{key}"] = f"environment {name}"
        applied.setdefault(section, f"environment {name}")
    return applied


def _describe(err: Mapping[str, Any]) -> str:
    # Pydantic's messages are clear English; the key and file are what the operator needs most.
    if err["type"] == "extra_forbidden":
        return "unknown key"
    return str(err["msg"])
