"""Cambridge Associates and who may do what (ASC-01..ASC-08)."""
