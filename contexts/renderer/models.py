"""The renderer context's private schema."""
