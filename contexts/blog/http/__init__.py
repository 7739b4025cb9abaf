"""The blog context's REST endpoints."""
