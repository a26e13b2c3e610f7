"""Allow `python -m tutorbot`."""

from tutorbot.cli import main

raise SystemExit(main())
