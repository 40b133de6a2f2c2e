"""Org-wide sweeps: the driver, its tasks and executors, progress, the lock, and its targets."""
