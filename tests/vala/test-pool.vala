/* test-pool.vala: GProcess.Pool from Vala: `yield pool.submit_async (...)`, a task's error,
 * a lost worker
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int failures = 0;

void check (bool ok, string what) {
    print ("%s - %s\n", ok ? "ok" : "not ok", what);
    if (!ok)
        failures++;
}

/* Runs in the workers */
Variant? work (Variant task) throws Error {
    string cmd;
    int64 arg;
    task.get ("(sx)", out cmd, out arg);
    if (cmd == "square")
        return new Variant.int64 (arg * arg);
    if (cmd == "fail")
        throw new IOError.NOT_FOUND ("nothing at %" + int64.FORMAT, arg);
    if (cmd == "exit")
        Posix.exit ((int) arg);
    return null;
}

async void run_tests (GProcess.Pool pool) {
    try {
        var v = yield pool.submit_async (new Variant ("(sx)", "square", (int64) 12));
        check (v.get_int64 () == 144, "yield submit_async gives the result");
    } catch (Error e) {
        check (false, "unexpected: " + e.message);
    }
    try {
        yield pool.submit_async (new Variant ("(sx)", "fail", (int64) 3));
        check (false, "a task's error comes back");
    } catch (Error e) {
        check (e is IOError.NOT_FOUND && e.message == "nothing at 3", "the task's error: " + e.message);
    }
    try {
        yield pool.submit_async (new Variant ("(sx)", "exit", (int64) 5));
        check (false, "a lost worker fails its task");
    } catch (Error e) {
        check (e is GProcess.Error.WORKER_LOST, "WORKER_LOST: " + e.message);
    }
    try {
        var v = pool.submit (new Variant ("(sx)", "square", (int64) 3));
        check (v.get_int64 () == 9, "the blocking submit");
    } catch (Error e) {
        check (false, "unexpected: " + e.message);
    }
}

int main () {
    var pool = new GProcess.Pool (work, 2);
    var loop = new MainLoop ();
    run_tests.begin (pool, (obj, res) => {
        run_tests.end (res);
        loop.quit ();
    });
    loop.run ();
    pool.close ();
    try {
        check (pool.join (30 * 1000 * 1000), "join after close");
    } catch (Error e) {
        check (false, "join: " + e.message);
    }
    return failures == 0 ? 0 : 1;
}
