"""Test set-up for the enquiry tests.

pytest runs with ``--import-mode=importlib``, under which test modules cannot
import a sibling module; the shared board (``ear_board.py``) is plain Python
rather than fixtures because the stateful tests need it at import time, so
this directory goes on ``sys.path`` under a name no other test directory uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
