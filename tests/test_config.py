"""Config: defaults, TOML file, TRIAGEM_<SECTION>__<KEY> overrides, and one-line errors (exit 2)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import BUNDLED_KB, Config, ConfigError, load_config

REPO = Path(__file__).resolve().parents[1]
TINY_KB = REPO / "tests" / "knowledge_base" / "fixtures" / "tiny_kb"

FULL_FILE = """\
[telegram]
token = "123:abc"
api_base_url = "http://127.0.0.1:8081"
library = "python-telegram-bot"
mode = "webhook"
agent_chat_id = -1001234567890
webhook_url = "https://bot.example.org/hook"
webhook_port = 8443
poll_timeout = 10

[storage]
url = "postgresql://triagem@127.0.0.1/triagem"
auto_upgrade = false

[knowledge_base]
path = "/srv/kb"
"""


@pytest.fixture(autouse=True)
def _no_local_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run every test in an empty directory with no TRIAGEM_* variables set."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TRIAGEM_"):
            monkeypatch.delenv(name)


def _write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_log_section_defaults_and_levels_in_any_case() -> None:
    assert load_config(None, environ={}).log.model_dump() == {
        "level": "INFO",
        "libraries": "WARNING",
        "format": "text",
    }
    config = load_config(None, {"TRIAGEM_LOG__LEVEL": "debug", "TRIAGEM_LOG__FORMAT": "json"})
    assert (config.log.level, config.log.format) == ("DEBUG", "json")


def test_defaults_without_file_or_environment() -> None:
    config = load_config(None, environ={})
    assert config == Config()
    assert config.telegram.token.get_secret_value() == ""
    assert config.telegram.api_base_url == "https://api.telegram.org"
    assert config.telegram.library == "aiogram"
    assert config.telegram.mode == "polling"
    assert config.telegram.agent_chat_id is None
    assert config.storage.url.startswith("sqlite:///")
    assert config.knowledge_base.path == BUNDLED_KB


def test_file_values_are_read(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, FULL_FILE, "triagem.toml"), environ={})
    assert config.telegram.token.get_secret_value() == "123:abc"
    assert config.telegram.api_base_url == "http://127.0.0.1:8081"
    assert config.telegram.library == "python-telegram-bot"
    assert config.telegram.mode == "webhook"
    assert config.telegram.agent_chat_id == -1001234567890
    assert config.telegram.webhook_port == 8443
    assert config.telegram.poll_timeout == 10
    assert config.storage.url == "postgresql://triagem@127.0.0.1/triagem"
    assert config.storage.auto_upgrade is False
    assert config.knowledge_base.path == Path("/srv/kb")


def test_partial_file_keeps_defaults_for_the_rest(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[telegram]\nmode = "webhook"\n'), environ={})
    assert config.telegram.mode == "webhook"
    assert config.telegram.library == "aiogram"
    assert config.storage == Config().storage


def test_config_toml_in_the_working_directory_is_used(tmp_path: Path) -> None:
    _write(tmp_path, '[telegram]\nlibrary = "python-telegram-bot"\n')
    assert load_config(None, environ={}).telegram.library == "python-telegram-bot"


def test_triagem_config_variable_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[storage]\nurl = "sqlite:///x.db"\n', "other.toml")
    assert load_config(None, environ={"TRIAGEM_CONFIG": str(path)}).storage.url == "sqlite:///x.db"


def test_environment_overrides_file_values(tmp_path: Path) -> None:
    env = {
        "TRIAGEM_TELEGRAM__LIBRARY": "aiogram",
        "TRIAGEM_TELEGRAM__TOKEN": "999:zzz",
        "TRIAGEM_TELEGRAM__AGENT_CHAT_ID": "-100555",
        "TRIAGEM_STORAGE__URL": "sqlite:///env.db",
        "TRIAGEM_STORAGE__AUTO_UPGRADE": "true",
        "TRIAGEM_KNOWLEDGE_BASE__PATH": "/opt/kb",
    }
    config = load_config(_write(tmp_path, FULL_FILE), environ=env)
    assert config.telegram.library == "aiogram"
    assert config.telegram.token.get_secret_value() == "999:zzz"
    assert config.telegram.agent_chat_id == -100555
    assert config.storage.url == "sqlite:///env.db"
    assert config.storage.auto_upgrade is True
    assert config.knowledge_base.path == Path("/opt/kb")
    assert config.telegram.mode == "webhook"  # not overridden: still the file's value


def test_environment_overrides_apply_without_a_file() -> None:
    env = {"TRIAGEM_TELEGRAM__LIBRARY": "python-telegram-bot"}
    assert load_config(None, environ=env).telegram.library == "python-telegram-bot"


def test_process_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGEM_TELEGRAM__MODE", "webhook")
    assert load_config().telegram.mode == "webhook"


def test_token_is_not_shown_in_the_config_repr(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, FULL_FILE), environ={})
    assert "123:abc" not in repr(config)


def test_totp_key_from_the_environment_is_kept_secret_and_never_echoed() -> None:
    key = "oGVNyfe58wPbx_vMDcJwtd1t-bs4-TXukwK-LB7KCpA="
    config = load_config(environ={"TRIAGEM_DESK__TOTP_KEY": key})
    assert config.desk.totp_key.get_secret_value() == key
    assert key not in repr(config)
    assert load_config(environ={}).desk.totp_key.get_secret_value() == ""
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"TRIAGEM_DESK__TOTP_KEY": key[:-2]})
    assert "desk.totp_key" in str(caught.value) and key[:-2] not in str(caught.value)


def test_example_config_is_valid_and_documents_every_key() -> None:
    example = REPO / "config.example.toml"
    load_config(example, environ={})
    text = example.read_text(encoding="utf-8")
    for section, model in Config.model_fields.items():
        assert f"[{section}]" in text
        assert model.annotation is not None
        for key in model.annotation.model_fields:
            assert re.search(rf"^#?\s*{key}\s*=", text, re.MULTILINE), f"{section}.{key}"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[telegram]\ncolour = "blue"\n', "telegram.colour: unknown key"),
        ("[telegram]\nwebhook_port = 70000\n", "telegram.webhook_port"),
        ('[telegram]\nlibrary = "discord"\n', "telegram.library"),
        ("telegram = 5\n", "telegram"),
        ('[log]\nformat = "xml"\n', "log.format: Input should be 'text' or 'json'"),
        ('[log]\nlibraries = "chatty"\n', "log.libraries"),
        ("[log]\nlevel = 10\n", "log.level"),
    ],
)
def test_load_config_raises_one_line_naming_file_and_key(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert fragment in message


# Each case runs `python -m bot --config FILE kb list` (FILE written from `text`, None: absent),
# with `env` added, and must end with one stderr line holding every `expected` fragment.
CLI_ERRORS = {
    "unknown key": ('[telegram]\ncolour = "blue"\n', {}, ["config.toml", "telegram.colour"]),
    "unknown section": ('[database]\nurl = "x"\n', {}, ["config.toml", "database"]),
    "wrong type": (
        '[telegram]\nwebhook_port = "abc"\n',
        {},
        ["config.toml", "telegram.webhook_port", "integer"],
    ),
    "wrong bool": (
        '[storage]\nauto_upgrade = "maybe"\n',
        {},
        ["config.toml", "storage.auto_upgrade"],
    ),
    "bad literal": (
        '[telegram]\nlibrary = "discord"\n',
        {},
        ["config.toml", "telegram.library", "aiogram"],
    ),
    "bad mode": ('[telegram]\nmode = "push"\n', {}, ["config.toml", "telegram.mode"]),
    "section is not a table": ("telegram = 5\n", {}, ["config.toml", "telegram"]),
    "invalid toml": (
        '[telegram\nlibrary = "aiogram"\n',
        {},
        ["config.toml", "invalid TOML", "line 1"],
    ),
    "missing file": (None, {}, ["config.toml", "not found"]),
    "env bad literal": (
        "",
        {"TRIAGEM_TELEGRAM__LIBRARY": "discord"},
        ["TRIAGEM_TELEGRAM__LIBRARY", "telegram.library"],
    ),
    "env wrong type": (
        "",
        {"TRIAGEM_TELEGRAM__AGENT_CHAT_ID": "grupo"},
        ["TRIAGEM_TELEGRAM__AGENT_CHAT_ID", "telegram.agent_chat_id"],
    ),
    "env unknown key": (
        "",
        {"TRIAGEM_TELEGRAM__COLOUR": "blue"},
        ["TRIAGEM_TELEGRAM__COLOUR", "telegram.colour"],
    ),
    "env without section": ("", {"TRIAGEM_DEBUG": "1"}, ["TRIAGEM_DEBUG"]),
    "bad log format": ('[log]\nformat = "xml"\n', {}, ["config.toml", "log.format", "json"]),
    "env bad log level": (
        "",
        {"TRIAGEM_LOG__LEVEL": "loud"},
        ["TRIAGEM_LOG__LEVEL", "log.level", "'INFO'"],
    ),
    "env malformed totp key": (
        "",
        {"TRIAGEM_DESK__TOTP_KEY": "hunter2"},
        ["TRIAGEM_DESK__TOTP_KEY", "desk.totp_key", "not a Fernet key"],
    ),
}


def _run_cli(
    tmp_path: Path, text: str | None, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    if text is not None:
        config.write_text(text, encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "kb", "list"],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("case", sorted(CLI_ERRORS))
def test_config_error_is_one_stderr_line_with_exit_code_2(
    tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # In this process (the command line's main), not a child: the same code path without
    # paying an interpreter start per case; the test below runs one case as a real process.
    text, env, expected = CLI_ERRORS[case]
    config = tmp_path / "config.toml"
    if text is not None:
        config.write_text(text, encoding="utf-8")
    for name in [k for k in os.environ if k.startswith("TRIAGEM_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    code = main(["--config", str(config), "kb", "list"])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    for fragment in expected:
        assert fragment in lines[0]


@pytest.mark.slow
def test_a_config_error_in_a_real_process_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    text, env, expected = CLI_ERRORS[sorted(CLI_ERRORS)[0]]
    done = _run_cli(tmp_path, text, env)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert all(fragment in done.stderr for fragment in expected)
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_valid_config_file_runs_the_command(tmp_path: Path) -> None:
    done = _run_cli(
        tmp_path,
        '[telegram]\nlibrary = "aiogram"\n',
        {"TRIAGEM_KNOWLEDGE_BASE__PATH": str(TINY_KB)},
    )
    assert done.returncode == 0, done.stderr
    assert "eproc-login" in done.stdout
    assert done.stderr == ""


@pytest.mark.slow
def test_config_file_sets_the_knowledge_base_path(tmp_path: Path) -> None:
    text = f'[knowledge_base]\npath = "{TINY_KB}"\n'
    done = _run_cli(tmp_path, text, {})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 6  # 3 articles + 3 offers of the tiny knowledge base


@pytest.mark.slow
def test_directory_given_as_config_is_one_line_error(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(tmp_path), "kb", "list"],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert str(tmp_path) in done.stderr


def test_unknown_section_from_environment_names_the_variable(tmp_path: Path) -> None:
    done = _run_cli(tmp_path, "", {"TRIAGEM_FOO__BAR": "1"})
    assert done.returncode == 2
    assert "TRIAGEM_FOO__BAR" in done.stderr
