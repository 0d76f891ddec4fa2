"""`python -m bot` is the same as the `triagem` command."""

from bot.entry import main

raise SystemExit(main())
