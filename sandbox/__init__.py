"""A loopback emulator of Entra ID, Microsoft Graph, Salesforce OAuth and Salesforce REST.

It serves the services' real paths over HTTPS (a local CA made with trustme) so that the same
client code a user runs, and independent clients such as msal and simple-salesforce, can talk
to it. It imports nothing from app/, ui/ or sync/.
"""
