"""The bounded contexts: one Django app each, reached only through its api module."""
