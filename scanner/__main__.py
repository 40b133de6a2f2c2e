"""credsprawl as a program: ``python -m scanner``, and the ``credsprawl`` console script (:func:`run`)."""

import gc


def run() -> int:
    """Run the command line on the process's arguments; its exit code. The cyclic garbage collector
    is off while the command line loads (modules, classes, the parser: objects that all live to the
    end, which it would only walk again and again, some 5 ms of a hook run); the command runs with it
    (``scanner.cli.app.run``)."""
    gc.disable()
    from scanner.cli.app import run as command_line

    return command_line()


if __name__ == "__main__":
    raise SystemExit(run())
