"""Pure rules: functions over value objects that return decisions.

Nothing in this package reads a clock, draws randomness or does I/O; ``now``
and random sources are passed in (docs/rules.md, section 0).  Importing it loads
neither ``sqlite3``, ``psycopg`` nor ``fpdf``.
"""
