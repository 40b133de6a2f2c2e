"""CI systems as sources: workflow runs, their logs and artifacts, fetched over their APIs."""
