/* test-gprocess.vala: GProcess from Vala, through the generated vapi
 *
 * Compiled with valac --fatal-warnings: the vapi's metadata must let this code build without a
 * warning (`catch (GProcess.Error e)` handles all that start () throws; join_async's cancellable
 * defaults to null; GProcess.exit is [NoReturn]).  Criticals are fatal, so an error in a domain
 * the vapi does not declare (Vala logs "uncaught error") fails the test.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int failures = 0;

void check (bool ok, string what) {
    print ("%s - %s\n", ok ? "ok" : "not ok", what);
    if (!ok)
        failures++;
}

/* Compiles only because GProcess.exit is [NoReturn]: without it, valac reports a missing return
 * statement at the end of this non-void function. */
int exit_with (int status) {
    GProcess.exit (status);
}

class Seven : GProcess.Object {
    public override void run () {
        exit_with (7);
    }
}

/* A child that runs until it is killed: it waits on a main context of its own (a fork child
 * must not use its parent's contexts). */
class Sleeper : GProcess.Object {
    public override void run () {
        new MainLoop (new MainContext (), false).run ();
    }
}

class Answer : GProcess.Object {
    public override void run () {
        GProcess.set_result (new Variant ("(si)", "answer", 42));
    }
}

class Failing : GProcess.Object {
    public override void run () {
        GProcess.set_error (new IOError.NOT_FOUND ("nothing here"));
        exit_with (3);
    }
}

/* Lifecycle: get_result (), get_usage (), yield stop_async () */
async void test_lifecycle () {
    var a = new Answer ();
    try {
        a.start ();
        yield a.join_async ();
        var v = a.get_result ();
        string name = "";
        int number = 0;
        if (v != null)
            v.get ("(si)", out name, out number);
        check (name == "answer" && number == 42, "get_result () returns the child's value");
        int64 user_us, system_us, max_rss;
        check (a.get_usage (out user_us, out system_us, out max_rss) && max_rss > 0,
               "get_usage () after the end (max RSS %lld bytes)".printf (max_rss));
    } catch (Error e) {
        check (false, "unexpected error: " + e.message);
    }

    var f = new Failing ();
    try {
        f.start ();
        yield f.join_async ();
        f.get_result ();
        check (false, "get_result () of a failing child did not throw");
    } catch (IOError.NOT_FOUND e) {
        check (e.message == "nothing here", "the child's IOError.NOT_FOUND round-trips");
    } catch (Error e) {
        check (false, "wrong error from get_result (): " + e.message);
    }

    var s = new Sleeper ();
    try {
        s.start ();
        bool stopped = yield s.stop_async (10 * 1000000);
        check (stopped && s.exit_code == -(int) ProcessSignal.TERM,
               "yield stop_async (): a child honouring SIGTERM ends with -SIGTERM (got %d)".printf (s.exit_code));
        check (s.get_result () == null, "a child that set nothing has no result");
    } catch (Error e) {
        check (false, "stop_async failed: " + e.message);
    }
}

async void test_async () {
    /* yield join_async () with the default (null) cancellable, in a main loop */
    var p = new Seven ();
    try {
        p.start ();
        bool ended = yield p.join_async ();
        check (ended, "yield join_async () returns true");
        check (p.exit_code == 7, "exit code 7 from GProcess.exit in the child (got %d)".printf (p.exit_code));
        check (p.state == GProcess.State.STOPPED, "stopped after yield join_async ()");
    } catch (GProcess.Error e) {
        check (false, "unexpected GProcess.Error: " + e.message);
    } catch (IOError e) {
        check (false, "unexpected IOError: " + e.message);
    }

    /* A cancelled join_async reports IOError.CANCELLED and leaves the child running */
    var s = new Sleeper ();
    var cancellable = new Cancellable ();
    try {
        s.start ();
        Idle.add (() => {
            cancellable.cancel ();
            return Source.REMOVE;
        });
        yield s.join_async (cancellable);
        check (false, "cancelled join_async did not throw");
    } catch (IOError.CANCELLED e) {
        check (s.is_alive (), "IOError.CANCELLED; the child still runs");
    } catch (Error e) {
        check (false, "wrong error from a cancelled join_async: " + e.message);
    }

    /* A zero timeout on a running child: IOError.TIMED_OUT */
    try {
        s.join (0);
        check (false, "join (0) on a running child did not throw");
    } catch (IOError.TIMED_OUT e) {
        check (true, "join (0) on a running child: IOError.TIMED_OUT");
    } catch (Error e) {
        check (false, "wrong error from join (0): " + e.message);
    }

    s.kill ();
    try {
        yield s.join_async ();
        check (s.exit_code == -(int) ProcessSignal.KILL,
               "killed child: exit code -SIGKILL (got %d)".printf (s.exit_code));
    } catch (Error e) {
        check (false, "join_async after kill: " + e.message);
    }
}

int main () {
    Log.set_always_fatal (LogLevelFlags.LEVEL_CRITICAL | LogLevelFlags.LEVEL_WARNING);

    var p = new Seven ();
    check (p.exit_code == GProcess.EXIT_CODE_NONE, "no exit code before start: EXIT_CODE_NONE");
    try {
        p.start ();
        p.join (-1);
    } catch (GProcess.Error e) {
        check (false, "unexpected GProcess.Error: " + e.message);
    } catch (IOError e) {
        check (false, "unexpected IOError: " + e.message);
    }
    check (p.exit_code == 7, "sync join: exit code 7 (got %d)".printf (p.exit_code));

    /* Starting twice: a real error, caught by its errordomain alone, without a warning */
    bool caught = false;
    try {
        p.start ();
    } catch (GProcess.Error e) {
        caught = e is GProcess.Error.ALREADY_STARTED;
        check (e.domain == GProcess.Error.quark (), "error domain is GProcess.Error");
    }
    check (caught, "start twice: catch (GProcess.Error e) gets ALREADY_STARTED");

    var q = new GProcess.Object ();
    try {
        q.join (-1);
        check (false, "join before start did not fail");
    } catch (GProcess.Error.NOT_STARTED e) {
        check (true, "join before start: GProcess.Error.NOT_STARTED");
    } catch (Error e) {
        check (false, "wrong error: " + e.message);
    }

    var loop = new MainLoop ();
    test_async.begin ((obj, res) => {
        test_async.end (res);
        loop.quit ();
    });
    loop.run ();
    test_lifecycle.begin ((obj, res) => {
        test_lifecycle.end (res);
        loop.quit ();
    });
    loop.run ();

    return failures == 0 ? 0 : 1;
}
