"""The `triagem` command line: run, chat, kb lint|list|show|eval, db, agents, audit."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot import kb_commands
from bot.config import MAX_RETENTION_DAYS, Config, ConfigError, load_config
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
    show = kb.add_parser("show", help="show an article or an offer as users see it in the chat")
    show.add_argument("id")
    show.add_argument("--html", action="store_true", help="the Telegram HTML the bot sends")
    attempt = kb.add_parser("try", help="the decision for one message and the words behind it")
    attempt.add_argument("text")
    attempt.add_argument("--json", action="store_true")
    ev = kb.add_parser("eval", help="measure triage accuracy on a JSONL case file")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.add_argument(
        "--diff",
        metavar="BASE",
        type=Path,
        help="list the cases decided differently by the knowledge base at BASE",
    )
    gaps = kb.add_parser("gaps", help="questions the knowledge base did not answer, grouped")
    gaps.add_argument("--days", help="the last N days (default 30)")
    gaps.add_argument("--json", action="store_true")
    db = sub.add_parser("db", help="database tools").add_subparsers(dest="db_command")
    db.add_parser("upgrade", help="migrate the database to the current schema")
    backup = db.add_parser("backup", help="a consistent copy of the SQLite store (bot may run)")
    backup.add_argument("path", type=Path, help="new file, or a directory for a dated file")
    restore = db.add_parser("restore", help="replace the SQLite store with a backup")
    restore.add_argument("path", type=Path)
    restore.add_argument("--force", action="store_true", help="replace an existing store")
    purge = db.add_parser("purge", help="delete processed updates and sent calls past retention")
    # A string, so a bad value gets one line of ours instead of argparse's usage block.
    purge.add_argument("--days", help="keep this many days (default: [storage] retention_days)")
    agents = sub.add_parser("agents", help="agents of the Telegram desk")
    agents_sub = agents.add_subparsers(dest="agents_command")
    add = agents_sub.add_parser("add", help="register an agent by Telegram user id")
    add.add_argument("telegram_id", type=int)
    add.add_argument("--role", choices=("agent", "supervisor"), default="agent")
    add.add_argument("--name", help="display name signed on replies (default: Agente ID)")
    agents_sub.add_parser("list", help="list agents with role and 2FA state")
    remove = agents_sub.add_parser("remove", help="unregister an agent")
    remove.add_argument("telegram_id", type=int)
    reset = agents_sub.add_parser("reset", help="unlock an agent and make them enroll 2FA again")
    reset.add_argument("telegram_id", type=int)
    audit = sub.add_parser("audit", help="the agents' audit log")
    audit_sub = audit.add_subparsers(dest="audit_command")
    export = audit_sub.add_parser("export", help="print the audit log (oldest first)")
    export.add_argument("--since", help="from this date (2025-12-01) or time, UTC")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    language = "pt"
    try:
        config = load_config(args.config)
        language = config.knowledge_base.lint_language
        return _dispatch(parser, args, config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except KnowledgeBaseError as exc:
        return kb_commands.explain_invalid(exc, sys.stderr, language)
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
            return kb_commands.lint(args.path or kb_root, out, config.knowledge_base.lint_language)
        if args.kb_command == "list":
            return kb_commands.list_items(kb_root, args.json, out)
        if args.kb_command == "show":
            from bot.kb_show import show

            return show(kb_root, args.id, args.html, out, err)
        if args.kb_command == "try":
            from bot.kb_try import try_message

            return try_message(kb_root, args.text, args.json, out)
        if args.kb_command == "eval" and args.diff is not None:
            return kb_commands.run_eval_diff(kb_root, args.diff, args.file, args.json, out, err)
        if args.kb_command == "eval":
            return kb_commands.run_eval(kb_root, args.file, args.json, out, err)
        if args.kb_command == "gaps":
            from bot.gaps_command import report

            return report(config, args.days, args.json, out, err)
    if args.command in ("run", "chat", None):
        return _run(args.command, config)
    if args.command == "db" and args.db_command == "upgrade":
        from bot.database import upgrade_database

        return upgrade_database(config, out, err)
    if args.command == "db" and args.db_command in ("backup", "restore"):
        return _backup_or_restore(args, config, out, err)
    if args.command == "db" and args.db_command == "purge":
        return _purge(config, args.days, out, err)
    if args.command in ("agents", "audit"):
        return _desk_tools(parser, args, config)
    parser.print_help(err)
    return 2


def _desk_tools(parser: argparse.ArgumentParser, args: argparse.Namespace, config: Config) -> int:
    from bot.agents import admin_cli

    out, err = sys.stdout, sys.stderr
    if args.command == "audit" and args.audit_command == "export":
        return admin_cli.export(config, args.since, args.format, out, err)
    command = getattr(args, "agents_command", None)
    if command == "add":
        return admin_cli.add(config, args.telegram_id, args.role, args.name, out, err)
    if command == "list":
        return admin_cli.show(config, out)
    if command == "remove":
        return admin_cli.remove(config, args.telegram_id, out, err)
    if command == "reset":
        return admin_cli.reset(config, args.telegram_id, out, err)
    parser.print_help(err)
    return 2


def _backup_or_restore(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    """`triagem db backup PATH` / `triagem db restore PATH [--force]`."""
    from bot import backups

    try:
        if args.db_command == "backup":
            backups.backup(config, args.path, out)
        else:
            backups.restore(config, args.path, force=args.force, out=out)
    except (backups.BackupError, OSError) as exc:
        text = (
            str(exc) if isinstance(exc, backups.BackupError) else f"{exc.strerror}: {exc.filename}"
        )
        print(f"db {args.db_command}: {text}", file=err)
        return 1
    return 0


def _purge(config: Config, days_text: str | None, out: TextIO, err: TextIO) -> int:
    """`triagem db purge`: delete what is older than the retention, print the counts."""
    days = config.storage.retention_days
    if days_text is not None:
        try:
            days = int(days_text)
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_RETENTION_DAYS:
            print(
                f"db purge: --days must be a whole number from 1 to {MAX_RETENTION_DAYS}: "
                f"{days_text!r}",
                file=err,
            )
            return 2
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from bot.database import open_store
    from storage.gaps import purge_gaps
    from storage.retention import purge

    engine = open_store(config)
    try:
        with Session(engine) as session, session.begin():
            before = datetime.now(UTC) - timedelta(days=days)
            purged = purge(session, before=before)
            # The knowledge gaps keep users' words too: the same retention.
            purge_gaps(session, before=before)
    except SQLAlchemyError as exc:
        # The URL is left out: it may hold the database password.
        print(f"db purge: storage error: {str(exc).strip().splitlines()[0]}", file=err)
        return 1
    finally:
        engine.dispose()
    counts = f"{purged.inbox} inbox updates and {purged.outbox} outbox calls"
    print(f"purged {counts} older than {days} days", file=out)
    return 0


def _run(command: str | None, config: Config) -> int:
    from bot.app import build_app

    on_telegram = command != "chat" and bool(config.telegram.token.get_secret_value())
    if on_telegram:
        from bot import logs

        # Before anything logs: the libraries' records carry the token in their URLs.
        logs.install(config)
    app = build_app(config)
    if not on_telegram:
        from bot.terminal import run_terminal

        started()
        return run_terminal(app, sys.stdin, sys.stdout)
    from bot.telegram.drivers import load_driver
    from bot.telegram.runner import run_telegram

    load_driver(config.telegram.library)
    started()
    return run_telegram(app)


def started() -> None:
    """The process is up: what start-up made stays (out of the collector's walks), and the
    collector, off during start-up (bot/entry.py), runs again."""
    gc.freeze()
    gc.enable()
