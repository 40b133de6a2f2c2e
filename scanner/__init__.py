"""credsprawl: find leaked credentials and tie them to the machine identities they belong to."""

__version__ = "0.1.0"
