"""The `triagem` command line: run, chat, kb lint|list|show|eval, db upgrade."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import kb_commands
from bot.config import Config, ConfigError, load_config
from bot.database import DatabaseUnavailable
from knowledge_base.problems import KnowledgeBaseError


def build_parser() -> argparse.ArgumentParser:
    """Arguments of every subcommand."""
    parser = argparse.ArgumentParser(prog="triagem", description="Telegram support triage bot")
    parser.add_argument("--config", type=Path, help="TOML config file (default: ./config.toml)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (terminal chat when no Telegram token is set)")
    sub.add_parser("chat", help="talk to the bot in this terminal")
    kb = sub.add_parser("kb", help="knowledge base tools").add_subparsers(dest="kb_command")
    lint = kb.add_parser("lint", help="check articles and offers")
    lint.add_argument("path", nargs="?", type=Path)
    listing = kb.add_parser("list", help="list articles and offers")
    listing.add_argument("--json", action="store_true")
    show = kb.add_parser("show", help="show an article as the bot sends it")
    show.add_argument("id")
    ev = kb.add_parser("eval", help="measure triage accuracy on a JSONL case file")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true")
    db = sub.add_parser("db", help="database tools").add_subparsers(dest="db_command")
    db.add_parser("upgrade", help="migrate the database to the current schema")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        return _dispatch(parser, args, config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except KnowledgeBaseError as exc:
        return kb_commands.explain_invalid(exc, sys.stderr)
    except DatabaseUnavailable as exc:
        print(f"storage error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`triagem kb list | head`): nothing left to say.
        sys.stderr.close()
        return 0


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, config: Config) -> int:
    kb_root = config.knowledge_base.path
    out, err = sys.stdout, sys.stderr
    if args.command == "kb":
        if args.kb_command == "lint":
            return kb_commands.lint(args.path or kb_root, out)
        if args.kb_command == "list":
            return kb_commands.list_items(kb_root, args.json, out)
        if args.kb_command == "show":
            return kb_commands.show(kb_root, args.id, out, err)
        if args.kb_command == "eval":
            return kb_commands.run_eval(kb_root, args.file, args.json, out, err)
    if args.command in ("run", "chat", None):
        return _run(args.command, config)
    if args.command == "db" and args.db_command == "upgrade":
        from bot.database import upgrade_database

        return upgrade_database(config, out, err)
    parser.print_help(err)
    return 2


def _run(command: str | None, config: Config) -> int:
    from bot.app import build_app
    from bot.terminal import run_terminal

    app = build_app(config)
    if command == "chat" or not config.telegram.token.get_secret_value():
        return run_terminal(app, sys.stdin, sys.stdout)
    from bot.telegram.runner import run_telegram

    return run_telegram(app)
