"""``python -m crw_example``: open (and seed) the demo board and serve the example app."""

from __future__ import annotations

import argparse
from pathlib import Path

import pendulum
import uvicorn

from crw_example.app import create_app
from crw_example.demo import open_demo


def main(argv: list[str] | None = None) -> None:
    """Parse the options, open the demo board and serve it on ``--host``:``--port``."""
    parser = argparse.ArgumentParser(prog="python -m crw_example", description=__doc__)
    parser.add_argument("--db", default="demo-website/results.db", help="the SQLite file")
    parser.add_argument("--out", default="demo-website/letters", help="where letters are written")
    parser.add_argument(
        "--now",
        default="2026-08-10 09:00",
        help="fix the clock here (Europe/London; 'system' for the real clock); "
        "June 2026 results are released on 11 August 2026",
    )
    parser.add_argument("--candidates", type=int, default=30, help="candidates per centre")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    now = None if args.now == "system" else pendulum.parse(args.now, tz="Europe/London")
    if now is not None and not isinstance(now, pendulum.DateTime):
        parser.error("--now takes a date and time, like 2026-08-10 09:00")
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    demo = open_demo(f"sqlite:///{db}", now=now, candidates_per_centre=args.candidates)
    app = create_app(demo, out_dir=Path(args.out))
    print(f"serving on http://{args.host}:{args.port}/  (Ctrl-C to stop)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
