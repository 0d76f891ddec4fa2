"""`python -m bot` is the same as the `triagem` command."""

from bot.cli import main

raise SystemExit(main())
