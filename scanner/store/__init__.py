"""The SQLite datastore behind sweeps."""
