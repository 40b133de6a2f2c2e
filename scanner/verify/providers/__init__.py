"""One module per provider: each calls one documented, read-only identity endpoint (cited in its
docstring) and maps the answer to a :class:`scanner.verify.result.Verification`."""
