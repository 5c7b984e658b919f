"""Application services of Tandem (no Qt): paths, secrets, sign-in, token provider, CLI commands."""
