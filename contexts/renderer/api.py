"""The published interface of the renderer context: the only module other contexts import."""
