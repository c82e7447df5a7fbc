# terminate(), kill(), join(timeout), is_alive(), close()
import signal

import parity_ctx


def sleeper(ready):
    ready.release()
    while True:
        signal.pause()


def main():
    ctx = parity_ctx.get()
    for action in ('terminate', 'kill'):
        ready = ctx.Semaphore(0)
        p = ctx.Process(target=sleeper, args=(ready,))
        p.start()
        ready.acquire()
        p.join(0.01)
        print(action, p.is_alive(), p.exitcode)
        getattr(p, action)()
        p.join()
        print(action, p.is_alive(), p.exitcode)
        p.close()
        try:
            p.is_alive()
        except ValueError as e:
            print('ValueError', e)
    p = ctx.Process(target=sleeper, args=(ctx.Semaphore(0),))
    try:
        p.close()
        p.start()
    except ValueError as e:
        print('ValueError', e)


if __name__ == '__main__':
    main()
