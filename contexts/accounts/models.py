"""The accounts context's private schema."""
