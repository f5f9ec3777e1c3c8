/* The stream libsonde-rt.so (preloaded into the target) writes to the fd
 * named by SONDE_HEAP_FD, and `sonde heap` reads. libc-only, shared by both
 * sides. See docs/heap-format.md.
 *
 * The stream is a sequence of chunks, each holding one thread's buffered
 * records; the runtime writes a chunk under a global lock so chunks never
 * interleave:
 *   u32 magic HEAP_CHUNK_MAGIC, u32 payload_size, u32 thread index, u32 flags
 *   payload: records
 * Every record starts with a one-byte type, then LEB128 varint fields.
 * Events have a key that orders them across threads (rt_key.h): a chunk
 * keeps a running key, 0 at its start, that HR_KEY records move forward;
 * every event has the running key at its place. A thread's
 * events are in order by position; the reader interleaves the threads by
 * key (equal keys of different threads: in an arbitrary but fixed order).
 *
 * Version 2: events carry allocation-info indexes instead of pointers, and
 * keys instead of a global sequence number (a counter shared by every
 * thread cost more than the rest of the hook).
 * Version 3: HR_MODULE ends with the module's build-id, so reports can tell
 * a rebuilt file and read the recorded build from the build-id cache. The
 * runtime sends HR_MODULE records in chunks of their own (thread index 0),
 * after the HR_HELLO that opens the stream, so the recorder can list the
 * modules without decoding other records.
 *
 * Thread index 0 carries the runtime's own chunks (HR_HELLO, HR_MODULE,
 * HR_TIME, HR_EXIT); program threads are numbered from 1, each announced by
 * an HR_THREAD in its own chunk. A thread renamed after its first
 * allocation gets a second HR_THREAD with the same index at its exit (the
 * later one wins). Stack ips are return addresses (look them up at ip - 1);
 * the leaf node is the return address into the caller of malloc/new.
 */
#ifndef SONDE_HEAP_PROTOCOL_H
#define SONDE_HEAP_PROTOCOL_H

#define HEAP_CHUNK_MAGIC 0x50484453u /* "SDHP" */
#define HEAP_PROTOCOL_VERSION 3
#define HEAP_BUILD_ID_MAX 20 /* the build-id bytes HR_MODULE carries at most */
#define HEAP_CHUNK_HEADER 16
/* Chunk header flags (the fourth u32). Without HEAP_CHUNK_DEFS a chunk
 * holds only event records: readers may leave it undecoded until replay.
 * HEAP_CHUNK_CLOCK: some of its keys are clock readings (threads were
 * allocating at once), which `sonde heap` compacts once the run ends. */
#define HEAP_CHUNK_DEFS 1u
#define HEAP_CHUNK_CLOCK 2u

enum heap_rec {
	/* seq-less records (describe, don't happen) */
	HR_HELLO = 'H',  /* version, pid, ppid, start time (CLOCK_MONOTONIC ns), exe path (str) */
	HR_MODULE = 'M', /* load bias, path (str), then n PT_LOAD: n, n x (vaddr, memsz, flags), build-id (bytes as a str; version 3) */
	HR_STACK = 'S',  /* node id, parent id, ip: a trie node; id 0 is the root (never sent) */
	HR_INFO = 'I',   /* info index (>= 1), kind (one byte), size, stack id: an allocation info */
	HR_THREAD = 'N', /* thread index, tid, name (str) */
	HR_LEAK = 'L',    /* state (one byte: enum heap_leak_state, heuristic), info, indirect bytes: a block live at exit, classified */
	HR_ERROR = 'W',   /* memcheck mode: kind (byte: enum heap_error), how (byte, per kind), stack of the call that found it (0: none), address, info of the block it concerns (0: none), stack that freed that block (0: none), size, second address (see enum heap_error), the function that freed the block (HK_FREE... with HK_SIZED etc.), valgrind's number of the thread that found it (1: main), that thread's name (str; empty unless it was given one), the error's number in the order errors were found across threads (from 1) */
	HR_FATAL = 'G',   /* memcheck mode, a fatal signal the runtime's handler saw: signo, si_code (zigzag: negative when a process sent it), si_addr, stack of the interrupted instruction (0: none), flags (byte: HF_*), the page a stack overflow could not grow to (0: none), the main thread's stack limit (0: unlimited), valgrind's number of the thread, its name (str) */
	HR_KEY = 'K',     /* delta: added to the chunk's running key */
	HR_MC_TOTALS = 'C', /* memcheck mode, which sends no events: allocations, frees, bytes allocated, blocks and bytes live at exit (every 10 ms the counts so far, the blocks and bytes not freed yet; the last one counts) */
	HR_LOST = 'O',      /* the runtime stopped recording before the program ended: reason (byte: enum heap_lost), ms since start, bytes it asked for, errno, the program's RLIMIT_AS and RLIMIT_DATA (0: unlimited) */
	/* events (at the running key) */
	HR_ALLOC = 'A',        /* info */
	HR_FREE = 'F',         /* info of the freed block (0: a block the runtime never saw); free() */
	HR_DELETE = 'D',       /* info: operator delete */
	HR_DELETE_ARRAY = 'E', /* info: operator delete[] */
	HR_REALLOC = 'R',      /* old block's info (0: none or unknown), new block's info */
	HR_TIME = 'T',         /* ms since start, RSS in KiB (0 if unknown) */
	HR_FORK = 'P',         /* child pid (written by the parent) */
	HR_EXIT = 'X',         /* how (0 exit/return from main, 1 fatal signal, 2 exec), signo (0 unless how == 1), peak RSS KiB */
};

/* Why the runtime stopped recording (HR_LOST): its records after that are
 * missing, and memcheck mode's leak check does not run. */
enum heap_lost {
	HLOST_NOMEM = 1, /* a mapping of its own failed (the program lowered its memory limits?) */
};

enum heap_exit_how {
	HX_EXIT = 0,   /* exit(), return from main, _exit() */
	HX_SIGNAL = 1, /* a fatal signal (signo): SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL */
	HX_EXEC = 2,   /* exec*(): the new image is not traced; this stream ends */
};

/* Blocks are named by their allocation info, not their address: the
 * runtime keeps the live blocks (address -> info) itself, so a free says
 * which info it frees. An info is (kind, size, stack); its HR_INFO comes
 * before the first event that uses it in the same thread's chunks, but
 * another thread may use it in a chunk written earlier, so readers resolve
 * infos after reading everything (like HR_STACK nodes).
 * A realloc that frees (glibc's realloc(p, 0) returning NULL) is sent as
 * HR_FREE with kind HK_FREE; a failed realloc sends nothing.
 * reallocarray(NULL, ...) is HR_ALLOC with an HK_REALLOCARRAY info, with a
 * pointer it is HR_REALLOC. A block found still live at an address the
 * allocator hands out again (its free was not seen) gets an HR_FREE just
 * before the new block's event. */

/* Heap errors the runtime catches in memcheck mode: what the fields of
 * HR_ERROR hold. "block" is the block's start address (0: no block). */
enum heap_error {
	HE_INVALID_FREE,    /* how: the free function (HK_FREE, HK_DELETE, HK_DELETE_ARRAY, HK_REALLOC); addr; block; size: the thread (valgrind's numbering) whose stack holds addr, 0: none; then block is the number of the frame of the call's stack that holds it (the call itself is 0; 0: unknown) */
	HE_MISMATCHED_FREE, /* how: the free function; addr = block */
	HE_OVERRUN,         /* redzone canaries overwritten: how: where it was seen (the free function whose call found it, or HOW_EXIT, HOW_UEXIT, HOW_FATAL); addr, size: the damaged span; block */
	HE_FREED_WRITE,     /* a freed block's pattern overwritten: how: the free function whose call pushed the block out of the quarantine, or HOW_EXIT, HOW_UEXIT, HOW_FATAL (HOW_QUARANTINE: a call not known); addr, size; block */
	HE_OVERLAP,         /* how: enum heap_strfn; addr: destination; block: source; size: length + 1 (0: not shown) */
	HE_FISHY,           /* how: the allocation function (HK_*); size: the value; block: 1 for calloc's nmemb, else 0 */
	HE_BAD_ALIGN,       /* how: the allocation function; size: the alignment */
	HE_INVALID_READ,    /* guard-page mode, or the access a fatal SIGSEGV stopped: addr, size of the access (0: unknown); block */
	HE_INVALID_WRITE,
	HE_INVALID_JUMP,    /* a fatal SIGSEGV fetching code at addr; block */
};
#define HE_LAST HE_INVALID_JUMP
/* HR_FATAL's flags. */
#define HF_FETCH 1 /* an instruction fetch faulted (valgrind reports a jump to the address) */
#define HF_CORE 2  /* the core file size limit is not 0: the kernel dumps core */
/* HR_ERROR's how for damage found by the checks at exit, with the stack
 * of the call as where: exit() or the return from main (where: from libc's
 * exit on), _exit() or _Exit() (where: their caller), a fatal signal
 * (where: the faulting instruction). HOW_QUARANTINE: a freed block left
 * the quarantine in a call not known (no where). */
#define HOW_EXIT 0xf0
#define HOW_QUARANTINE 0xf1
#define HOW_UEXIT 0xf2
#define HOW_FATAL 0xf3
#define HOW_AT_EXIT(how) ((how) == HOW_EXIT || (how) == HOW_UEXIT || (how) == HOW_FATAL)

/* The string functions whose overlapping arguments memcheck mode reports. */
enum heap_strfn { HS_MEMCPY, HS_MEMPCPY, HS_STRCPY, HS_STPCPY, HS_STRNCPY, HS_STPNCPY, HS_STRCAT, HS_STRNCAT, HS_WCSCPY };

/* The leak check's verdict on a block still live at exit (memcheck's kinds),
 * in the low bits of HR_LEAK's state byte; above HL_HEUR_SHIFT, the heuristic
 * of valgrind's that let an interior pointer reach the block (valgrind's
 * "of which reachable via heuristic"). */
enum heap_leak_state { HL_REACHABLE, HL_POSSIBLE, HL_INDIRECT, HL_DEFINITE };
#define HL_STATE_MASK 0x03
#define HL_HEUR_SHIFT 4
enum heap_leak_heur { HLH_NONE, HLH_STDSTRING, HLH_LENGTH64, HLH_NEWARRAY, HLH_MULTIINH, HLH_COUNT };

/* Allocation kinds: the memory checker tells mismatched pairs apart. */
enum heap_kind {
	HK_MALLOC, HK_CALLOC, HK_REALLOC, HK_MEMALIGN, HK_POSIX_MEMALIGN, HK_ALIGNED_ALLOC,
	HK_VALLOC, HK_PVALLOC, HK_NEW, HK_NEW_ARRAY, HK_REALLOCARRAY,
	HK_FREE = 32, HK_DELETE, HK_DELETE_ARRAY,
};
/* Memcheck mode's records (HR_ERROR's how and free_how) name the exact
 * operator delete with these flags on HK_DELETE / HK_DELETE_ARRAY, as
 * valgrind prints it ("operator delete(void*, unsigned long)"). */
#define HK_NOTHROW 0x10
#define HK_SIZED 0x40
#define HK_ALIGNED 0x80
#define HK_FREE_BASE(how) ((how) & ~(HK_NOTHROW | HK_SIZED | HK_ALIGNED))

/* Strings are a varint length then bytes. */

#endif
