"""Starts moto's server for kaws's local cloud.

Why a launcher instead of `moto_server`: the parent (kaws or the test run) may die without
cleaning up (SIGKILL, a crash). The launcher watches its stdin, a pipe from the parent, and
exits when it closes, so moto is never orphaned.

Fixes to moto bugs that would otherwise force kaws to bend a correct template live in
`fixes.py`, each named and tested; see that file.
"""
import os
import sys
import threading


def _exit_when_parent_goes() -> None:
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main() -> None:
    host, port = sys.argv[1], sys.argv[2]
    threading.Thread(target=_exit_when_parent_goes, daemon=True).start()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import fixes  # noqa: E402  (after the watchdog: importing moto takes a moment)

    fixes.apply_all()
    import local_account  # noqa: E402  (local mode's stand-in for the caller's account)

    local_account.apply_all()
    from moto.server import main as moto_main

    moto_main(["-H", host, "-p", port])


if __name__ == "__main__":
    main()
