# Daemons: the flag, inherited names, a daemon may not have children, daemons are ended when
# the program exits, the flag cannot change after start()
import signal

import parity_ctx


def nested():
    pass


def try_child(out):
    import multiprocessing
    p = multiprocessing.current_process()
    try:
        type(p)(target=nested).start()
    except AssertionError as e:
        out.put(('AssertionError', str(e), p.daemon))


def sleeper(ready):
    ready.release()
    while True:
        signal.pause()


def main():
    ctx = parity_ctx.get()
    out = ctx.Queue()
    p = ctx.Process(target=try_child, args=(out,), daemon=True)
    p.start()
    print(out.get())
    p.join()
    try:
        p.daemon = False
    except AssertionError as e:
        print('AssertionError', e)
    print(p.exitcode, p.daemon)
    ready = ctx.Semaphore(0)
    d = ctx.Process(target=sleeper, args=(ready,), daemon=True)
    d.start()
    ready.acquire()
    print('daemon alive', d.is_alive())
    # the program ends with the daemon running: it is terminated at exit


if __name__ == '__main__':
    main()
