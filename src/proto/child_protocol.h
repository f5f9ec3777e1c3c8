/* `sonde memcheck --trace-children=yes`: how every program image reaches
 * sonde (docs/heap-runtime.md, "Following exec"). libc-only, shared by
 * the runtime and sonde.
 *
 * sonde listens on a UNIX stream socket in a private (0700) directory and
 * names it in SONDE_HEAP_SOCK (instead of SONDE_HEAP_FD). Each image the
 * runtime starts in connects and sends a hello:
 *   u32 magic CHILD_HELLO_MAGIC, u32 payload size, payload:
 *   kind (byte), then varints and strings (varint length, bytes):
 *   CHILD_TRACE: pid, ppid, exe (the path exec was given), argc,
 *                argc x arg (the arguments after argv[0])
 *   CHILD_NOTE:  pid, ppid, reason (enum child_note), exe, argc, args:
 *                an exec of a program the runtime will not be in
 * sonde answers a CHILD_TRACE with one byte, CHILD_YES followed by a u32
 * stream number (little-endian), or CHILD_NO (a skipped program: it runs
 * unchecked, and its children too); after CHILD_YES the connection
 * carries the image's chunk stream (heap_protocol.h). A note gets no
 * answer. */
#ifndef SONDE_CHILD_PROTOCOL_H
#define SONDE_CHILD_PROTOCOL_H

#define CHILD_SOCK_ENV "SONDE_HEAP_SOCK"
/* --trace-malloc: the directory each image's lines go to ("<n>.trace") */
#define CHILD_TRACE_DIR_ENV "SONDE_MEMCHECK_TRACE_DIR"
#define CHILD_HELLO_MAGIC 0x43444e53u /* "SNDC" */
#define CHILD_HELLO_MAX (4u << 20)     /* a bigger hello is damage */

enum child_kind { CHILD_TRACE = 'T', CHILD_NOTE = 'N' };
enum child_answer { CHILD_YES = 'y', CHILD_NO = 'n' };
enum child_note {
	CHILD_NOTE_STATIC = 1, /* statically linked: nothing to preload into */
	CHILD_NOTE_SETUID = 2, /* set-user/group-ID: the loader ignores LD_PRELOAD */
	CHILD_NOTE_ENV = 3,    /* exec'd with an environment without sonde's variables */
};

#endif
