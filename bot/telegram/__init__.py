"""Telegram runtime: drivers, intake (polling/webhook), dispatcher, outbox sender."""
