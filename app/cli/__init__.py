"""The command line below main.py: one module per command group."""
