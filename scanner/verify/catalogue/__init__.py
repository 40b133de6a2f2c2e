"""The provider catalogue's verifiers, one module per group of providers.

Each module holds ``HOSTS`` (provider -> documented API root; the provider module's docstring cites
the page), ``CONFIGURED_ONLY`` (providers with no single documented host: only an endpoint the user
configured is asked) and ``VERIFIERS`` (rule id -> verifier). ``registry`` and ``endpoints`` merge
them with the core table.
"""

from scanner.verify.catalogue import ai_data, comms, commerce, devtools

GROUPS = (ai_data, commerce, comms, devtools)
