"""Test support shipped with the engine: the source conformance suite."""
