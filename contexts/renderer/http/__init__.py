"""The renderer context's REST endpoints."""
