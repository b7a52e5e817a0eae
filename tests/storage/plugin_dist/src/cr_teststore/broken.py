"""A plugin that cannot load: it needs a module nobody installed."""

import cr_teststore_missing_dependency  # noqa: F401  # missing on purpose

BrokenStore = None
