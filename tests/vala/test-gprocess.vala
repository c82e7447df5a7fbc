/* test-gprocess.vala: GProcess from Vala, through the generated vapi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

class Seven : GProcess.Object {
    public override void run () {
        GProcess.exit (7);
    }
}

int main () {
    var p = new Seven ();
    try {
        p.start ();
        p.join (-1, null);
    } catch (GLib.Error e) {
        stderr.printf ("unexpected error: %s\n", e.message);
        return 1;
    }
    if (p.exit_code != 7) {
        stderr.printf ("exit code %d, expected 7\n", p.exit_code);
        return 1;
    }

    var q = new GProcess.Object ();
    try {
        q.join (-1, null);
        stderr.printf ("join before start did not fail\n");
        return 1;
    } catch (GProcess.Error.NOT_STARTED e) {
        /* the errordomain generated from the GIR */
    } catch (GLib.Error e) {
        stderr.printf ("wrong error: %s\n", e.message);
        return 1;
    }

    print ("vala: exit code %d, NOT_STARTED caught\n", p.exit_code);
    return 0;
}
