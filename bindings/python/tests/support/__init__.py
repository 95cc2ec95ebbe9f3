"""Test helpers: the broker emulator as a process, bearer files, token claims, TLS."""
