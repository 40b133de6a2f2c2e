"""Filters between matching and reporting: inline allow comments, allowlists, confidence, baselines."""
