"""Logins: passwords, lockout, resets and registration (LOG-01..LOG-06)."""
