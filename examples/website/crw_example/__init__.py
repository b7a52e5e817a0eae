"""A reference web app over :mod:`cambridge_results` (not part of the library)."""
