# Lock, RLock, Value, Array, Event, Semaphore, Condition, Barrier
import parity_ctx


def add(counter, array, lock, n):
    for _ in range(n):
        with lock:
            counter.value += 1
    with array.get_lock():
        for i in range(len(array)):
            array[i] += i


def wait_event(event, ready, out):
    ready.release()
    event.wait()
    out.put('event seen')


def barrier_party(barrier, out, n):
    out.put(('party', n, barrier.wait() >= 0))


def cond_wait(cond, value):
    with cond:
        cond.wait_for(lambda: value.value == 1)
        value.value = 2
        cond.notify_all()


def main():
    ctx = parity_ctx.get()
    lock = ctx.Lock()
    counter = ctx.Value('i', 0, lock=False)
    array = ctx.Array('d', 4)
    procs = [ctx.Process(target=add, args=(counter, array, lock, 200)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(counter.value, list(array))

    rlock = ctx.RLock()
    with rlock:
        with rlock:
            print('rlock re-entered')

    event, ready, out = ctx.Event(), ctx.Semaphore(0), ctx.Queue()
    p = ctx.Process(target=wait_event, args=(event, ready, out))
    p.start()
    ready.acquire()
    print(event.is_set())
    event.set()
    print(out.get())
    p.join()

    barrier = ctx.Barrier(3)
    procs = [ctx.Process(target=barrier_party, args=(barrier, out, n)) for n in range(3)]
    for p in procs:
        p.start()
    print(sorted(out.get() for _ in procs))
    for p in procs:
        p.join()

    cond, value = ctx.Condition(), ctx.Value('i', 0)
    p = ctx.Process(target=cond_wait, args=(cond, value))
    p.start()
    with cond:
        value.value = 1
        cond.notify_all()
        cond.wait_for(lambda: value.value == 2)
    p.join()
    print('condition', value.value, p.exitcode)


if __name__ == '__main__':
    main()
