"""The published interface of the blog context: the only module other contexts import."""
