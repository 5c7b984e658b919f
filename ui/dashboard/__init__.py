"""The main window (dashboard): status cards, history, issues, contacts without an account."""
