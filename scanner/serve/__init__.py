"""``credsprawl serve``: the triage web app over a sweep's datastore (Starlette, served by uvicorn,
Jinja2 templates). Imported only by the ``serve`` command: the hook, scans and ``import scanner.cli``
never load the web stack.

- ``app``: the application factory and its routes (thin: they call ``pages`` and ``scanner.triage``).
- ``pages``: what each page reads (overview, queue, credential, identity, owner, search, audit log).
- ``rank``: the per-credential summary the queue is sorted and filtered by, built once per sweep in a
  temporary table of the app's own connection (nothing is written to the datastore file).
- ``verification``: ``sweep --verify``'s results, read when the datastore has them.
- ``database``: the one thread that holds the datastore connection (reads and writes in order).
- ``security``: Host check, token, sessions, CSRF, security headers.
"""
