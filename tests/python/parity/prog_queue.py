# Queues: producers and a consumer, a JoinableQueue, a SimpleQueue, the end marker
import parity_ctx


def produce(q, n):
    for i in range(5):
        q.put((n, i))


def consume(q, out, count):
    got = [q.get() for _ in range(count)]
    out.put(sorted(got))


def work(jq, results):
    while True:
        item = jq.get()
        if item is None:
            jq.task_done()
            break
        results.put(item * item)
        jq.task_done()


def main():
    ctx = parity_ctx.get()
    q, out = ctx.Queue(), ctx.Queue()
    producers = [ctx.Process(target=produce, args=(q, n)) for n in range(3)]
    consumer = ctx.Process(target=consume, args=(q, out, 15))
    for p in producers + [consumer]:
        p.start()
    print(out.get())
    for p in producers + [consumer]:
        p.join()
    print([p.exitcode for p in producers + [consumer]])

    jq, results = ctx.JoinableQueue(), ctx.SimpleQueue()
    workers = [ctx.Process(target=work, args=(jq, results)) for _ in range(2)]
    for w in workers:
        w.start()
    for i in range(10):
        jq.put(i)
    for _ in workers:
        jq.put(None)
    jq.join()
    print(sorted(results.get() for _ in range(10)))
    for w in workers:
        w.join()
    print(q.empty(), [w.exitcode for w in workers])


if __name__ == '__main__':
    main()
