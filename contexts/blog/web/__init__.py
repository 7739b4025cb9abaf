"""The blog context's server-rendered pages."""
