"""Preparation centre reports (LOG-07..LOG-10)."""
