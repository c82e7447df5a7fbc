# Pool: map, starmap, imap, imap_unordered, apply_async with callbacks, a worker's exception,
# maxtasksperchild, initializer
import os

import parity_ctx

_initialized = None


def init(value):
    global _initialized
    _initialized = value


def square(x):
    return x * x


def add(a, b):
    return a + b


def initialized(_):
    return _initialized


def fail(x):
    raise ValueError('bad value %d' % x)


def pid(_):
    return os.getpid()


def main():
    ctx = parity_ctx.get()
    with ctx.Pool(2, initializer=init, initargs=('ready',)) as pool:
        print(pool.map(square, range(10)))
        print(pool.starmap(add, [(1, 2), (3, 4)]))
        print(list(pool.imap(square, range(5))))
        print(sorted(pool.imap_unordered(square, range(5))))
        results = []
        r = pool.apply_async(square, (7,), callback=results.append)
        r.wait()
        print(r.get(), r.successful(), results)
        print(set(pool.map(initialized, range(4))))
        try:
            pool.map(fail, [1])
        except ValueError as e:
            print('ValueError', e)
        r = pool.apply_async(fail, (2,), error_callback=lambda e: print('error_callback', e))
        r.wait()
        print(r.successful())
    with ctx.Pool(2, maxtasksperchild=1) as pool:
        print(len(set(pool.map(pid, range(4), chunksize=1))) >= 2)


if __name__ == '__main__':
    main()
