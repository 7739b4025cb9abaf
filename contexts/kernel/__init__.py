"""Shared kernel: the small, stable base every context builds on. Imports no context."""
