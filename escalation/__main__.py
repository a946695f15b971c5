"""Entry point for ``python -m escalation``."""

from escalation.cli import main

raise SystemExit(main())
