"""The composition root: the schema of a whole board, and the application objects wired together."""

from cambridge_results.board.schema import SCHEMA

__all__ = ["SCHEMA"]
