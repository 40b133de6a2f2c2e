"""Project errors. Inner code raises these; only ``cli.main`` turns them into a line on stderr and exit 2."""


class CredsprawlError(Exception):
    """An error the user can act on. The message says what went wrong and what to do."""


class UsageError(CredsprawlError):
    """Bad command-line arguments or a missing input path."""


class RuleError(CredsprawlError):
    """A rule file that cannot be loaded: names the file and the rule id."""


class ConfigError(CredsprawlError):
    """An invalid configuration file."""
