"""The Salesforce adapter: REST client, the Salesforce sources, and the record mapping."""
