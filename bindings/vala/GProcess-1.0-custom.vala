/* GProcess-1.0-custom.vala: declarations vapigen cannot derive from the GIR
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

namespace GProcess {
	/* G_GNUC_NORETURN in C: code after GProcess.exit () is unreachable, and a non-void function
	 * may end with it.  (Skipped from the GIR in GProcess-1.0.metadata.) */
	[CCode (cheader_filename = "gprocess/gprocess.h", cname = "g_process_exit")]
	[NoReturn]
	[Version (since = "0.1")]
	public static void exit (int status);
}
