"""The desktop app (PyQt6 + qasync): the only layer that imports Qt."""
