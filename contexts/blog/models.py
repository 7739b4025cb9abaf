"""The blog context's private schema."""
