"""The emulated Salesforce: OAuth, REST (sObjects, query, collections, composite), SOQL."""
