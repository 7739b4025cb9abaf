"""A test-only app that produces and consumes events, to exercise contexts.kernel.events."""
