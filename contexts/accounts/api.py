"""The published interface of the accounts context: the only module other contexts import."""
