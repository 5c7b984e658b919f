"""The Microsoft Graph adapter: HTTP client, the Outlook sources, and the record mapping."""
