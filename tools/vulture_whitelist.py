"""Names that look unused to vulture but are called by name by a framework (read by
tools/deadcode.py, never imported). Each group says who calls them."""

# ruff: noqa: B018, F821 - a vulture whitelist is a list of bare names

# Qt calls these overrides of QAbstractItemModel, QWizardPage and QWizard by name.
_.headerData
_.flags
_.setData
_.hasChildren
_.canFetchMore
_.fetchMore
_.columnCount
_.rowCount
_.cleanupPage
_.initializePage
_.validatePage
_.isComplete
_.nextId

# peewee reads a model's Meta.table_name; the columns are read by name through SQL.
_.table_name

# httpx.Auth reads requires_request_body and calls async_auth_flow / sync_auth_flow.
_.requires_request_body
_.async_auth_flow
_.sync_auth_flow

# uvicorn.Server.should_exit and Starlette's Router.redirect_slashes are set to steer them.
_.should_exit
_.redirect_slashes

# The planner dispatches on the decision table's outcome: getattr(self, f"_{outcome.value}").
_._nothing
_._delete_in_outlook
_._delete_in_salesforce
_._recreate_in_outlook
_._recreate_in_salesforce
_._forget
_._unlink_outlook_out
_._unlink_salesforce_out
_._stay_unlinked
_._tombstone_outlook_deleted
_._tombstone_salesforce_deleted
_._keep_deleted

# Starlette calls a URL convertor's to_string when it builds a URL.
_.to_string

# Dataclass fields read by name: the six switches through SWITCHES / getattr (sync.settings),
# the Outlook account facts through asdict() into accounts.json (app.auth.outlook).
_.outlook_no_create
_.outlook_no_update
_.outlook_no_delete
_.salesforce_no_create
_.salesforce_no_update
_.salesforce_no_delete
_.tenant_id
_.object_id
_.home_account_id

# peewee model columns, read and written through SQL by their names (sync.store_schema).
_.updated_at
_.finished_at
_.undone_by
_.first_run
_.last_run
_.resolved_run
