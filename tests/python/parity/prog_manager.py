# A Manager: dict, list, Namespace, Lock and Queue proxies, shared by several children
import parity_ctx


def fill(d, lst, ns, lock, n):
    d[n] = n * n
    lst.append(n)
    with lock:
        ns.total += n


def main():
    ctx = parity_ctx.get()
    with ctx.Manager() as manager:
        d, lst, ns, lock = manager.dict(), manager.list(), manager.Namespace(), manager.Lock()
        ns.total = 0
        procs = [ctx.Process(target=fill, args=(d, lst, ns, lock, n)) for n in range(5)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        print(sorted(d.items()), sorted(lst), ns.total)
        q = manager.Queue()
        q.put('through the manager')
        print(q.get(), [p.exitcode for p in procs])


if __name__ == '__main__':
    main()
