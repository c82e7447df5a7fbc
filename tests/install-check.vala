// install-check.vala: built by build-aux/check-install.sh with
// valac --pkg gprocess-1.0 --vapidir=P/share/vala/vapi, against an installed GProcess
// SPDX-License-Identifier: LGPL-2.1-or-later
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
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }
    return p.exit_code;
}
