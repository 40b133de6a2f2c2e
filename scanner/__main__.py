"""credsprawl as a program: ``python -m scanner``, and the ``credsprawl`` console script (:func:`run`)."""

import gc
import sys


def run() -> int:
    """Run the command line on the process's arguments; its exit code. The cyclic garbage collector
    is off while the command line loads (modules, classes, the parser: objects that all live to the
    end, which it would only walk again and again, some 5 ms of a hook run); the command runs with it
    (``scanner.cli.app.run``). The process then ends at once when nothing but freeing memory is left
    for its exit (:func:`exit_at_once`)."""
    gc.disable()
    from scanner.cli.app import run as command_line

    code = command_line()
    exit_at_once(code)
    return code


def exit_at_once(code: int) -> None:
    """End the process with ``code`` now, its output flushed, when Python's own exit would only free
    memory: no exit handler registered (``atexit``, threading's, which ``concurrent.futures`` uses),
    no thread but this one. Freeing a run's objects (the rules, the matcher's tables, a history's
    index) one by one costs a pre-commit hook some 4 ms of its 0.1 s, a history scan 10 ms. Returns
    (and the usual exit follows) whenever that cannot be told, or the output does not flush."""
    import atexit
    import threading

    handlers = getattr(atexit, "_ncallbacks", None)
    thread_handlers = getattr(threading, "_threading_atexits", None)
    if handlers is None or thread_handlers is None or handlers() or thread_handlers or threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # the usual exit meets it (a closed pipe: its own quiet handling)
    import os

    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(run())
