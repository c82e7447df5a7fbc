# Exit codes and what the child prints: return, sys.exit(n), sys.exit('text'), sys.exit(None),
# an exception (traceback, 1), os._exit(n), a signal
import os
import signal
import sys

import parity_ctx


def ret():
    return 5


def exit_n():
    sys.exit(3)


def exit_text():
    sys.exit('leaving with a message')


def exit_none():
    sys.exit(None)


def raise_():
    raise RuntimeError('from the child')


def os_exit():
    sys.stdout.flush()
    os._exit(7)


def self_signal():
    os.kill(os.getpid(), signal.SIGTERM)


def main():
    ctx = parity_ctx.get()
    for f in (ret, exit_n, exit_text, exit_none, raise_, os_exit, self_signal):
        p = ctx.Process(target=f, name=f.__name__)
        p.start()
        p.join()
        print(f.__name__, p.exitcode, flush=True)
    sys.exit(4)


if __name__ == '__main__':
    main()
