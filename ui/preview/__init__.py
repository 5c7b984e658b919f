"""The preview of a plan: its model, tree and details."""
