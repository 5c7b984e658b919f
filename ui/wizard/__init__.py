"""The first-run wizard and its pages."""
