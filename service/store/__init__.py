"""The PostgreSQL store: named SQL from `sql/`, the connection pool, and driver-error translation."""
