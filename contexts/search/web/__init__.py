"""The search context's web page."""
