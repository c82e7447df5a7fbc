# concurrent.futures.ProcessPoolExecutor on the context: map, submit, an exception,
# as_completed
import concurrent.futures

import parity_ctx


def cube(x):
    return x ** 3


def divide(a, b):
    return a / b


def main():
    ctx = parity_ctx.get()
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        print(list(ex.map(cube, range(8))))
        futures = [ex.submit(divide, 10, b) for b in (1, 2, 0)]
        for f in futures:
            try:
                print(f.result())
            except ZeroDivisionError as e:
                print('ZeroDivisionError', e)
        done = sorted(f.result() for f in concurrent.futures.as_completed(
            [ex.submit(cube, n) for n in range(3)]))
        print(done)


if __name__ == '__main__':
    main()
