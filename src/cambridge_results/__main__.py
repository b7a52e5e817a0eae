"""``python -m cambridge_results``: the ``cambridge-results`` command."""

from cambridge_results.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
