# Process subclasses: with __init__ and attributes, overriding run() only, names,
# current_process() and parent_process() in the child (by name: under multiprocessing the
# child's getppid() is its forkserver, under GProcess the program), is_alive, repr's class name

import parity_ctx

ctx = parity_ctx.get()


class Worker(ctx.Process):
    def __init__(self, value, queue):
        super().__init__()
        self.value = value
        self.queue = queue

    def run(self):
        import multiprocessing
        me = multiprocessing.current_process()
        self.queue.put((self.value * 2, me.name, type(me).__name__,
                        multiprocessing.parent_process().name))


class RunOnly(ctx.Process):
    def run(self):
        print('RunOnly in', self.name, flush=True)


def main():
    queue = ctx.Queue()
    workers = [Worker(n, queue) for n in range(3)]
    print([w.name for w in workers], workers[0].is_alive())
    for w in workers:
        w.start()
    print(sorted(queue.get() for _ in workers))
    for w in workers:
        w.join()
    r = RunOnly(name='solo')
    r.start()
    r.join()
    print([w.exitcode for w in workers], r.exitcode, r.is_alive(), repr(r).split()[0])
    plain = ctx.Process()
    plain.start()
    plain.join()
    print(plain.name, plain.exitcode)


if __name__ == '__main__':
    main()
