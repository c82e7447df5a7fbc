# Pipes: duplex ping-pong, a one-way pipe, closed ends (EOFError), connection.wait()
import multiprocessing.connection

import parity_ctx


def echo(conn):
    while True:
        msg = conn.recv()
        if msg is None:
            break
        conn.send(('echo', msg))
    conn.close()


def writer(conn, n):
    for i in range(n):
        conn.send_bytes(b'x' * i)
    conn.close()


def main():
    ctx = parity_ctx.get()
    parent, child = ctx.Pipe()
    p = ctx.Process(target=echo, args=(child,))
    p.start()
    child.close()
    for msg in ('hello', 42, [1, 2, {'a': 3}]):
        parent.send(msg)
        print(parent.recv())
    parent.send(None)
    try:
        parent.recv()
    except EOFError:
        print('EOFError')
    p.join()

    r, w = ctx.Pipe(duplex=False)
    p = ctx.Process(target=writer, args=(w, 4))
    p.start()
    w.close()
    lengths = []
    while True:
        multiprocessing.connection.wait([r])
        try:
            lengths.append(len(r.recv_bytes()))
        except EOFError:
            break
    p.join()
    print(lengths, p.exitcode)


if __name__ == '__main__':
    main()
