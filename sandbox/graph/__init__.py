"""The emulated Microsoft Graph v1.0: contacts, calendars, To Do, delta, $batch."""
