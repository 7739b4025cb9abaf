"""The search context's REST endpoint."""
