"""Verification: ask a credential's own provider whether it is live, whose it is and what it may do.

Opt-in network. ``result`` (the value), ``endpoints`` (where each provider is asked), ``registry``
(which verifier checks which rule), ``run`` (a run over findings: once per secret, bounded per
provider, one deadline), ``aws_sigv4`` (the AWS signer) and one module per provider in ``providers``.
"""
