"""Sign-in and secrets: Microsoft (MSAL), Salesforce OAuth, the token provider, the keyring."""
