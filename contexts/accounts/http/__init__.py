"""The accounts context's REST endpoints."""
