"""Git history: the ``history`` and ``staged`` commands, and attribution of findings to commits."""
