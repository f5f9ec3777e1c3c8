/* The guard-page mode's instruction decoder (runtime/memcheck/mc_insn.c): a table
 * of instructions assembled with GNU as (the bytes from objdump -d, the
 * assembly as text) with the size and direction valgrind would report;
 * each one, and every prefix of it, at the end of a readable page (a read
 * past avail or past the instruction faults); all three-byte inputs and
 * random ones; and real faults on a PROT_NONE page, decoded in the
 * SIGSEGV handler and skipped by length. */
#include <emmintrin.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "mc_insn.h"
#include "unit.h"

enum { F, A, R, W, RW }; /* false; address only; read; write; both */

struct tcase {
	const char *text;
	const char *code;
	unsigned len; /* bytes of code (instruction length when decodable) */
	int kind;
	unsigned size;
};

static const struct tcase cases[] = {
	/* general purpose: mov */
	{ "mov %eax,(%rdi)", "\x89\x07", 2, W, 4 },
	{ "mov (%rdi),%eax", "\x8b\x07", 2, R, 4 },
	{ "mov %rax,(%rdi)", "\x48\x89\x07", 3, W, 8 },
	{ "mov (%rsi),%rax", "\x48\x8b\x06", 3, R, 8 },
	{ "mov %ax,(%rdi)", "\x66\x89\x07", 3, W, 2 },
	{ "mov (%rdi),%cx", "\x66\x8b\x0f", 3, R, 2 },
	{ "mov %al,(%rdi)", "\x88\x07", 2, W, 1 },
	{ "mov (%rsi),%r8b", "\x44\x8a\x06", 3, R, 1 },
	{ "mov %r15,-0x8(%rbp)", "\x4c\x89\x7d\xf8", 4, W, 8 },
	{ "mov 0x8(%rsp,%rcx,4),%edx", "\x8b\x54\x8c\x08", 4, R, 4 },
	{ "mov 0x12345678(%rax,%rbx,8),%rcx", "\x48\x8b\x8c\xd8\x78\x56\x34\x12", 8, R, 8 },
	{ "mov (%r12),%eax", "\x41\x8b\x04\x24", 4, R, 4 },
	{ "mov (%r13),%eax", "\x41\x8b\x45\x00", 4, R, 4 },
	{ "mov 0x12345678,%ecx", "\x8b\x0c\x25\x78\x56\x34\x12", 7, R, 4 },
	{ "mov 0x0(%rip),%rax", "\x48\x8b\x05\x00\x00\x00\x00", 7, R, 8 },
	{ "mov %fs:0x28,%rax", "\x64\x48\x8b\x04\x25\x28\x00\x00\x00", 9, R, 8 },
	{ "mov (%eax),%ecx", "\x67\x8b\x08", 3, R, 4 },
	{ "movb $0x5,(%rdi)", "\xc6\x07\x05", 3, W, 1 },
	{ "movw $0x1234,0x10(%rdi)", "\x66\xc7\x47\x10\x34\x12", 6, W, 2 },
	{ "movl $0x12345678,(%rdi)", "\xc7\x07\x78\x56\x34\x12", 6, W, 4 },
	{ "movq $-1,0x1000(%rsp)", "\x48\xc7\x84\x24\x00\x10\x00\x00\xff\xff\xff\xff", 12, W, 8 },
	{ "movl $0x1,%fs:0x1c", "\x64\xc7\x04\x25\x1c\x00\x00\x00\x01\x00\x00\x00", 12, W, 4 },
	{ "mov %ds,(%rdi)", "\x8c\x1f", 2, W, 2 },
	{ "mov (%rdi),%ds", "\x8e\x1f", 2, R, 2 },
	{ "movabs 0x1122334455667788,%al", "\xa0\x88\x77\x66\x55\x44\x33\x22\x11", 9, R, 1 },
	{ "movabs 0x1122334455667788,%eax", "\xa1\x88\x77\x66\x55\x44\x33\x22\x11", 9, R, 4 },
	{ "movabs %eax,0x1122334455667788", "\xa3\x88\x77\x66\x55\x44\x33\x22\x11", 9, W, 4 },
	{ "movabs %rax,0x1122334455667788", "\x48\xa3\x88\x77\x66\x55\x44\x33\x22\x11", 10, W, 8 },
	{ "movabs %ax,0x1122334455667788", "\x66\xa3\x88\x77\x66\x55\x44\x33\x22\x11", 10, W, 2 },
	{ "addr32 mov %al,0x12345678", "\x67\xa2\x78\x56\x34\x12", 6, W, 1 },
	{ "mov %eax,%ebx", "\x89\xc3", 2, F, 0 },
	{ "mov $0x1,%eax", "\xb8\x01\x00\x00\x00", 5, F, 0 },
	{ "lea 0x8(%rdi),%rax", "\x48\x8d\x47\x08", 4, A, 0 },
	{ "lea 0x0(%rip),%rdi", "\x48\x8d\x3d\x00\x00\x00\x00", 7, A, 0 },
	/* ALU: which direction writes */
	{ "add %eax,(%rdi)", "\x01\x07", 2, RW, 4 },
	{ "add (%rdi),%eax", "\x03\x07", 2, R, 4 },
	{ "add %al,(%rdi)", "\x00\x07", 2, RW, 1 },
	{ "add (%rdi),%r9b", "\x44\x02\x0f", 3, R, 1 },
	{ "addq $0x1,(%rdi)", "\x48\x83\x07\x01", 4, RW, 8 },
	{ "addl $0x1000,(%rdi)", "\x81\x07\x00\x10\x00\x00", 6, RW, 4 },
	{ "addw $0x1000,(%rdi)", "\x66\x81\x07\x00\x10", 5, RW, 2 },
	{ "addb $0x1,(%rdi)", "\x80\x07\x01", 3, RW, 1 },
	{ "lock addl $0x1,(%rdi)", "\xf0\x83\x07\x01", 4, RW, 4 },
	{ "lock orq $0x0,(%rsp)", "\xf0\x48\x83\x0c\x24\x00", 6, RW, 8 },
	{ "sub %rax,0x10(%rsp)", "\x48\x29\x44\x24\x10", 5, RW, 8 },
	{ "sbb (%rdi),%rax", "\x48\x1b\x07", 3, R, 8 },
	{ "adc %ecx,(%rdi)", "\x11\x0f", 2, RW, 4 },
	{ "and $0xf0,%al", "\x24\xf0", 2, F, 0 },
	{ "andl $0xfffffff0,(%rdi)", "\x83\x27\xf0", 3, RW, 4 },
	{ "or %dx,(%rdi)", "\x66\x09\x17", 3, RW, 2 },
	{ "xor (%rdi),%esi", "\x33\x37", 2, R, 4 },
	{ "xorb $0x80,0x3(%rdi)", "\x80\x77\x03\x80", 4, RW, 1 },
	{ "cmp %eax,(%rdi)", "\x39\x07", 2, R, 4 },
	{ "cmp (%rdi),%rax", "\x48\x3b\x07", 3, R, 8 },
	{ "cmpq $0x0,(%rdi)", "\x48\x83\x3f\x00", 4, R, 8 },
	{ "cmpb $0x2f,(%rdi,%rax,1)", "\x80\x3c\x07\x2f", 4, R, 1 },
	{ "cmpl $0x12345,0x8(%rdi)", "\x81\x7f\x08\x45\x23\x01\x00", 7, R, 4 },
	{ "cmpw $0x7,(%rdi)", "\x66\x83\x3f\x07", 4, R, 2 },
	{ "add %eax,%ebx", "\x01\xc3", 2, F, 0 },
	{ "test %eax,(%rdi)", "\x85\x07", 2, R, 4 },
	{ "test %al,(%rdi)", "\x84\x07", 2, R, 1 },
	{ "testb $0x1,(%rdi)", "\xf6\x07\x01", 3, R, 1 },
	{ "testl $0x100,(%rdi)", "\xf7\x07\x00\x01\x00\x00", 6, R, 4 },
	{ "testw $0x100,(%rdi)", "\x66\xf7\x07\x00\x01", 5, R, 2 },
	{ "testq $0x100,0x8(%rdi)", "\x48\xf7\x47\x08\x00\x01\x00\x00", 8, R, 8 },
	{ "xchg %eax,(%rdi)", "\x87\x07", 2, RW, 4 },
	{ "xchg %al,(%rdi)", "\x86\x07", 2, RW, 1 },
	{ "xchg %rax,(%rdi)", "\x48\x87\x07", 3, RW, 8 },
	/* one-operand groups */
	{ "incl (%rdi)", "\xff\x07", 2, RW, 4 },
	{ "incb (%rdi)", "\xfe\x07", 2, RW, 1 },
	{ "incw (%rdi)", "\x66\xff\x07", 3, RW, 2 },
	{ "decq 0x8(%rdi)", "\x48\xff\x4f\x08", 4, RW, 8 },
	{ "lock decl (%rdi)", "\xf0\xff\x0f", 3, RW, 4 },
	{ "notl (%rdi)", "\xf7\x17", 2, RW, 4 },
	{ "negq (%rdi)", "\x48\xf7\x1f", 3, RW, 8 },
	{ "negb (%rdi)", "\xf6\x1f", 2, RW, 1 },
	{ "mull (%rdi)", "\xf7\x27", 2, R, 4 },
	{ "divq (%rdi)", "\x48\xf7\x37", 3, R, 8 },
	{ "imulb (%rdi)", "\xf6\x2f", 2, R, 1 },
	{ "idivl (%rdi)", "\xf7\x3f", 2, R, 4 },
	{ "divw (%rdi)", "\x66\xf7\x37", 3, R, 2 },
	{ "shll (%rdi)", "\xd1\x27", 2, RW, 4 },
	{ "shlb $0x3,(%rdi)", "\xc0\x27\x03", 3, RW, 1 },
	{ "sarq %cl,(%rdi)", "\x48\xd3\x3f", 3, RW, 8 },
	{ "rolw $1,(%rdi)", "\x66\xd1\x07", 3, RW, 2 },
	{ "shrq $0x3f,0x8(%rsp)", "\x48\xc1\x6c\x24\x08\x3f", 6, RW, 8 },
	{ "rcrl %cl,(%rdi)", "\xd3\x1f", 2, RW, 4 },
	{ "shl %cl,%eax", "\xd3\xe0", 2, F, 0 },
	{ "imul $0x12,(%rdi),%eax", "\x6b\x07\x12", 3, R, 4 },
	{ "imul $0x12345,(%rdi),%rax", "\x48\x69\x07\x45\x23\x01\x00", 7, R, 8 },
	{ "imul $0x1234,(%rdi),%ax", "\x66\x69\x07\x34\x12", 5, R, 2 },
	{ "imul (%rdi),%eax", "\x0f\xaf\x07", 3, R, 4 },
	{ "movslq (%rdi),%rax", "\x48\x63\x07", 3, R, 4 },
	{ "movsxd (%rdi),%eax (no REX.W)", "\x63\x07", 2, R, 4 },
	{ "movzbl (%rdi),%eax", "\x0f\xb6\x07", 3, R, 1 },
	{ "movzwl (%rdi),%eax", "\x0f\xb7\x07", 3, R, 2 },
	{ "movsbq (%rdi),%rax", "\x48\x0f\xbe\x07", 4, R, 1 },
	{ "movswq (%rdi),%rax", "\x48\x0f\xbf\x07", 4, R, 2 },
	{ "movzbw (%rdi),%ax", "\x66\x0f\xb6\x07", 4, R, 1 },
	{ "movsbl 0x1(%rdi,%rax,1),%ecx", "\x0f\xbe\x4c\x07\x01", 5, R, 1 },
	{ "cmove (%rdi),%eax", "\x0f\x44\x07", 3, R, 4 },
	{ "cmovne (%rdi),%rax", "\x48\x0f\x45\x07", 4, R, 8 },
	{ "cmovbw (%rdi),%ax", "\x66\x0f\x42\x07", 4, R, 2 },
	{ "sete (%rdi)", "\x0f\x94\x07", 3, W, 1 },
	{ "setne %al", "\x0f\x95\xc0", 3, F, 0 },
	/* stack and indirect branches */
	{ "push (%rdi)", "\xff\x37", 2, R, 8 },
	{ "pushw (%rdi)", "\x66\xff\x37", 3, R, 2 },
	{ "pop (%rdi)", "\x8f\x07", 2, W, 8 },
	{ "pop 0x8(%rsp)", "\x8f\x44\x24\x08", 4, W, 8 },
	{ "call *(%rax)", "\xff\x10", 2, R, 8 },
	{ "call *0x18(%rax)", "\xff\x50\x18", 3, R, 8 },
	{ "jmp *0x0(,%rax,8)", "\xff\x24\xc5\x00\x00\x00\x00", 7, R, 8 },
	{ "jmp *0x10(%rip)", "\xff\x25\x10\x00\x00\x00", 6, R, 8 },
	{ "notrack jmp *(%rax,%rdx,8)", "\x3e\xff\x24\xd0", 4, R, 8 },
	{ "call *%rax", "\xff\xd0", 2, F, 0 },
	{ "ljmp *(%rax)", "\xff\x28", 2, R, 6 },
	{ "rex.W ljmp *(%rax)", "\x48\xff\x28", 3, R, 10 },
	{ "push %rax", "\x50", 1, F, 0 },
	{ "push $0x10", "\x6a\x10", 2, F, 0 },
	{ "ret", "\xc3", 1, F, 0 },
	{ "call .", "\xe8\xfb\xff\xff\xff", 5, F, 0 },
	/* 0F general purpose */
	{ "cmpxchg %ecx,(%rdi)", "\x0f\xb1\x0f", 3, RW, 4 },
	{ "lock cmpxchg %rcx,(%rdi)", "\xf0\x48\x0f\xb1\x0f", 5, RW, 8 },
	{ "lock cmpxchg %cl,(%rdi)", "\xf0\x0f\xb0\x0f", 4, RW, 1 },
	{ "lock cmpxchg %cx,(%rdi)", "\x66\xf0\x0f\xb1\x0f", 5, RW, 2 },
	{ "lock xadd %eax,(%rdi)", "\xf0\x0f\xc1\x07", 4, RW, 4 },
	{ "lock xadd %rax,(%rdi)", "\xf0\x48\x0f\xc1\x07", 5, RW, 8 },
	{ "xadd %al,(%rdi)", "\x0f\xc0\x07", 3, RW, 1 },
	{ "lock cmpxchg8b (%rdi)", "\xf0\x0f\xc7\x0f", 4, RW, 8 },
	{ "lock cmpxchg16b (%rdi)", "\xf0\x48\x0f\xc7\x0f", 5, RW, 16 },
	{ "bt %eax,(%rdi)", "\x0f\xa3\x07", 3, R, 4 },
	{ "lock bts %rax,(%rdi)", "\xf0\x48\x0f\xab\x07", 5, RW, 8 },
	{ "btr %eax,(%rdi)", "\x0f\xb3\x07", 3, RW, 4 },
	{ "btc %ax,(%rdi)", "\x66\x0f\xbb\x07", 4, RW, 2 },
	{ "btl $0x3,(%rdi)", "\x0f\xba\x27\x03", 4, R, 4 },
	{ "lock btrq $0x5,(%rdi)", "\xf0\x48\x0f\xba\x37\x05", 6, RW, 8 },
	{ "btsl $0x1f,0x4(%rdi)", "\x0f\xba\x6f\x04\x1f", 5, RW, 4 },
	{ "bt %eax,%ecx", "\x0f\xa3\xc1", 3, F, 0 },
	{ "shld $0x3,%eax,(%rdi)", "\x0f\xa4\x07\x03", 4, RW, 4 },
	{ "shrd %cl,%rax,(%rdi)", "\x48\x0f\xad\x07", 4, RW, 8 },
	{ "bsf (%rdi),%eax", "\x0f\xbc\x07", 3, R, 4 },
	{ "bsr (%rdi),%rax", "\x48\x0f\xbd\x07", 4, R, 8 },
	{ "tzcnt (%rdi),%rax", "\xf3\x48\x0f\xbc\x07", 5, R, 8 },
	{ "lzcnt (%rdi),%ecx", "\xf3\x0f\xbd\x0f", 4, R, 4 },
	{ "popcnt (%rdi),%ecx", "\xf3\x0f\xb8\x0f", 4, R, 4 },
	{ "popcnt (%rdi),%cx", "\x66\xf3\x0f\xb8\x0f", 5, R, 2 },
	{ "popcnt (%rdi),%r8", "\xf3\x4c\x0f\xb8\x07", 5, R, 8 },
	{ "movbe (%rdi),%eax", "\x0f\x38\xf0\x07", 4, R, 4 },
	{ "movbe %rax,(%rdi)", "\x48\x0f\x38\xf1\x07", 5, W, 8 },
	{ "movbe %cx,(%rdi)", "\x66\x0f\x38\xf1\x0f", 5, W, 2 },
	{ "crc32b (%rdi),%eax", "\xf2\x0f\x38\xf0\x07", 5, R, 1 },
	{ "crc32w (%rdi),%eax", "\x66\xf2\x0f\x38\xf1\x07", 6, R, 2 },
	{ "crc32l (%rdi),%eax", "\xf2\x0f\x38\xf1\x07", 5, R, 4 },
	{ "crc32q (%rdi),%rax", "\xf2\x48\x0f\x38\xf1\x07", 6, R, 8 },
	{ "movnti %eax,(%rdi)", "\x0f\xc3\x07", 3, W, 4 },
	{ "movnti %rax,(%rdi)", "\x48\x0f\xc3\x07", 4, W, 8 },
	/* address only, no operand */
	{ "nopl (%rax)", "\x0f\x1f\x00", 3, A, 0 },
	{ "nopw 0x0(%rax,%rax,1)", "\x66\x0f\x1f\x04\x00", 5, A, 0 },
	{ "cs nopw 0x0(%rax,%rax,1)", "\x2e\x66\x0f\x1f\x04\x00", 6, A, 0 },
	{ "data16 x5 cs nopw 0x0(%rax,%rax,1): 15 bytes", "\x66\x66\x66\x66\x66\x66\x2e\x0f\x1f\x84\x00\x00\x00\x00\x00", 15, A, 0 },
	{ "prefetcht0 (%rdi)", "\x0f\x18\x0f", 3, A, 0 },
	{ "prefetchnta 0x40(%rsi)", "\x0f\x18\x46\x40", 4, A, 0 },
	{ "prefetchw (%rdi)", "\x0f\x0d\x0f", 3, A, 0 },
	{ "nop", "\x90", 1, F, 0 },
	{ "xchg %ax,%ax", "\x66\x90", 2, F, 0 },
	{ "endbr64", "\xf3\x0f\x1e\xfa", 4, F, 0 },
	{ "nopl %eax", "\x0f\x1f\xc0", 3, F, 0 },
	/* strings: destination of movs/stos, source of lods */
	{ "movsb", "\xa4", 1, W, 1 },
	{ "rep movsb", "\xf3\xa4", 2, W, 1 },
	{ "movsw", "\x66\xa5", 2, W, 2 },
	{ "movsl", "\xa5", 1, W, 4 },
	{ "rep movsq", "\xf3\x48\xa5", 3, W, 8 },
	{ "rep stos %al,%es:(%rdi)", "\xf3\xaa", 2, W, 1 },
	{ "stos %eax,%es:(%rdi)", "\xab", 1, W, 4 },
	{ "rep stos %rax,%es:(%rdi)", "\xf3\x48\xab", 3, W, 8 },
	{ "stos %ax,%es:(%rdi)", "\x66\xab", 2, W, 2 },
	{ "lods %ds:(%rsi),%al", "\xac", 1, R, 1 },
	{ "lods %ds:(%rsi),%rax", "\x48\xad", 2, R, 8 },
	{ "repz cmpsb %es:(%rdi),%ds:(%rsi)", "\xf3\xa6", 2, R, 1 },
	{ "repnz scas %es:(%rdi),%al", "\xf2\xae", 2, R, 1 },
	{ "scas %es:(%rdi),%eax", "\xaf", 1, R, 4 },
	/* x87 */
	{ "flds (%rdi)", "\xd9\x07", 2, R, 4 },
	{ "fldl (%rdi)", "\xdd\x07", 2, R, 8 },
	{ "fldt (%rdi)", "\xdb\x2f", 2, R, 10 },
	{ "fsts (%rdi)", "\xd9\x17", 2, W, 4 },
	{ "fstps (%rdi)", "\xd9\x1f", 2, W, 4 },
	{ "fstpl 0x8(%rsp)", "\xdd\x5c\x24\x08", 4, W, 8 },
	{ "fstpt (%rdi)", "\xdb\x3f", 2, W, 10 },
	{ "fildl (%rdi)", "\xdb\x07", 2, R, 4 },
	{ "fildll (%rdi)", "\xdf\x2f", 2, R, 8 },
	{ "filds (%rdi)", "\xdf\x07", 2, R, 2 },
	{ "fistl (%rdi)", "\xdb\x17", 2, W, 4 },
	{ "fistpl (%rdi)", "\xdb\x1f", 2, W, 4 },
	{ "fistpll (%rdi)", "\xdf\x3f", 2, W, 8 },
	{ "fistps (%rdi)", "\xdf\x1f", 2, W, 2 },
	{ "fisttpll (%rdi)", "\xdd\x0f", 2, W, 8 },
	{ "fisttpl (%rdi)", "\xdb\x0f", 2, W, 4 },
	{ "fisttps (%rdi)", "\xdf\x0f", 2, W, 2 },
	{ "fnstcw (%rdi)", "\xd9\x3f", 2, W, 2 },
	{ "fldcw (%rdi)", "\xd9\x2f", 2, R, 2 },
	{ "fnstsw (%rdi)", "\xdd\x3f", 2, W, 2 },
	{ "fnstenv (%rdi)", "\xd9\x37", 2, W, 28 },
	{ "fldenv (%rdi)", "\xd9\x27", 2, R, 28 },
	{ "fnsave (%rdi)", "\xdd\x37", 2, W, 108 },
	{ "frstor (%rdi)", "\xdd\x27", 2, R, 108 },
	{ "fadds (%rdi)", "\xd8\x07", 2, R, 4 },
	{ "faddl (%rdi)", "\xdc\x07", 2, R, 8 },
	{ "fmull 0x8(%rdi)", "\xdc\x4f\x08", 3, R, 8 },
	{ "fdivrs (%rdi)", "\xd8\x3f", 2, R, 4 },
	{ "fiaddl (%rdi)", "\xda\x07", 2, R, 4 },
	{ "fiadds (%rdi)", "\xde\x07", 2, R, 2 },
	{ "fimull (%rdi)", "\xda\x0f", 2, R, 4 },
	{ "fcomps (%rdi)", "\xd8\x1f", 2, R, 4 },
	{ "fcompl (%rdi)", "\xdc\x1f", 2, R, 8 },
	{ "fbld (%rdi)", "\xdf\x27", 2, R, 10 },
	{ "fbstp (%rdi)", "\xdf\x37", 2, W, 10 },
	{ "fadd %st(1),%st", "\xd8\xc1", 2, F, 0 },
	{ "fld %st(1)", "\xd9\xc1", 2, F, 0 },
	{ "fnstsw %ax", "\xdf\xe0", 2, F, 0 },
	/* FP state, cache */
	{ "fxsave (%rdi)", "\x0f\xae\x07", 3, W, 512 },
	{ "fxrstor (%rdi)", "\x0f\xae\x0f", 3, R, 512 },
	{ "fxsave64 (%rdi)", "\x48\x0f\xae\x07", 4, W, 512 },
	{ "ldmxcsr (%rdi)", "\x0f\xae\x17", 3, R, 4 },
	{ "stmxcsr 0x4(%rsp)", "\x0f\xae\x5c\x24\x04", 5, W, 4 },
	{ "xsave (%rdi)", "\x0f\xae\x27", 3, W, 0 },
	{ "xsavec (%rsp)", "\x0f\xc7\x24\x24", 4, W, 0 },
	{ "xrstor (%rdi)", "\x0f\xae\x2f", 3, R, 0 },
	{ "clflush (%rdi)", "\x0f\xae\x3f", 3, R, 0 },
	{ "mfence", "\x0f\xae\xf0", 3, F, 0 },
	{ "sfence", "\x0f\xae\xf8", 3, F, 0 },
	{ "lfence", "\x0f\xae\xe8", 3, F, 0 },
	/* SSE moves */
	{ "movups (%rdi),%xmm0", "\x0f\x10\x07", 3, R, 16 },
	{ "movups %xmm0,(%rdi)", "\x0f\x11\x07", 3, W, 16 },
	{ "movaps %xmm1,0x10(%rsp)", "\x0f\x29\x4c\x24\x10", 5, W, 16 },
	{ "movaps (%rdi),%xmm15", "\x44\x0f\x28\x3f", 4, R, 16 },
	{ "movupd (%rdi),%xmm0", "\x66\x0f\x10\x07", 4, R, 16 },
	{ "movapd %xmm0,(%rdi)", "\x66\x0f\x29\x07", 4, W, 16 },
	{ "movss (%rdi),%xmm0", "\xf3\x0f\x10\x07", 4, R, 4 },
	{ "movss %xmm0,(%rdi)", "\xf3\x0f\x11\x07", 4, W, 4 },
	{ "movsd (%rdi),%xmm0", "\xf2\x0f\x10\x07", 4, R, 8 },
	{ "movsd %xmm0,0x8(%rdi)", "\xf2\x0f\x11\x47\x08", 5, W, 8 },
	{ "movsd %xmm1,%xmm0", "\xf2\x0f\x10\xc1", 4, F, 0 },
	{ "movlps (%rdi),%xmm0", "\x0f\x12\x07", 3, R, 8 },
	{ "movlps %xmm0,(%rdi)", "\x0f\x13\x07", 3, W, 8 },
	{ "movhps (%rdi),%xmm0", "\x0f\x16\x07", 3, R, 8 },
	{ "movhps %xmm0,(%rdi)", "\x0f\x17\x07", 3, W, 8 },
	{ "movlpd (%rdi),%xmm0", "\x66\x0f\x12\x07", 4, R, 8 },
	{ "movhpd %xmm0,(%rdi)", "\x66\x0f\x17\x07", 4, W, 8 },
	{ "movddup (%rdi),%xmm0", "\xf2\x0f\x12\x07", 4, R, 8 },
	{ "movshdup (%rdi),%xmm0", "\xf3\x0f\x16\x07", 4, R, 16 },
	{ "movsldup (%rdi),%xmm0", "\xf3\x0f\x12\x07", 4, R, 16 },
	{ "movntps %xmm0,(%rdi)", "\x0f\x2b\x07", 3, W, 16 },
	{ "movntpd %xmm0,(%rdi)", "\x66\x0f\x2b\x07", 4, W, 16 },
	{ "movntdq %xmm0,(%rdi)", "\x66\x0f\xe7\x07", 4, W, 16 },
	{ "movntq %mm0,(%rdi)", "\x0f\xe7\x07", 3, W, 8 },
	{ "movd (%rdi),%xmm0", "\x66\x0f\x6e\x07", 4, R, 4 },
	{ "movd %xmm0,(%rdi)", "\x66\x0f\x7e\x07", 4, W, 4 },
	{ "movq (%rdi),%xmm0", "\xf3\x0f\x7e\x07", 4, R, 8 },
	{ "movq %xmm0,(%rdi)", "\x66\x0f\xd6\x07", 4, W, 8 },
	{ "movq (%rdi),%xmm0 (66 REX.W 0F 6E)", "\x66\x48\x0f\x6e\x07", 5, R, 8 },
	{ "movq %xmm0,(%rdi) (66 REX.W 0F 7E)", "\x66\x48\x0f\x7e\x07", 5, W, 8 },
	{ "movq %rax,%xmm0", "\x66\x48\x0f\x6e\xc0", 5, F, 0 },
	{ "movd (%rdi),%mm0", "\x0f\x6e\x07", 3, R, 4 },
	{ "movq (%rdi),%mm0", "\x0f\x6f\x07", 3, R, 8 },
	{ "movq %mm1,(%rdi)", "\x0f\x7f\x0f", 3, W, 8 },
	{ "movdqa (%rdi),%xmm0", "\x66\x0f\x6f\x07", 4, R, 16 },
	{ "movdqa %xmm8,0x10(%rsp)", "\x66\x44\x0f\x7f\x44\x24\x10", 7, W, 16 },
	{ "movdqu (%rsi,%rdx,1),%xmm1", "\xf3\x0f\x6f\x0c\x16", 5, R, 16 },
	{ "movdqu %xmm1,-0x10(%rdi,%rdx,1)", "\xf3\x0f\x7f\x4c\x17\xf0", 6, W, 16 },
	{ "lddqu (%rdi),%xmm0", "\xf2\x0f\xf0\x07", 4, R, 16 },
	/* SSE arithmetic and conversions */
	{ "addps (%rdi),%xmm0", "\x0f\x58\x07", 3, R, 16 },
	{ "addss (%rdi),%xmm0", "\xf3\x0f\x58\x07", 4, R, 4 },
	{ "addsd 0x0(%rip),%xmm0", "\xf2\x0f\x58\x05\x00\x00\x00\x00", 8, R, 8 },
	{ "mulpd (%rdi),%xmm0", "\x66\x0f\x59\x07", 4, R, 16 },
	{ "sqrtsd (%rdi),%xmm0", "\xf2\x0f\x51\x07", 4, R, 8 },
	{ "sqrtps (%rdi),%xmm0", "\x0f\x51\x07", 3, R, 16 },
	{ "maxss (%rdi),%xmm0", "\xf3\x0f\x5f\x07", 4, R, 4 },
	{ "minsd (%rdi),%xmm0", "\xf2\x0f\x5d\x07", 4, R, 8 },
	{ "divps (%rdi),%xmm0", "\x0f\x5e\x07", 3, R, 16 },
	{ "rcpss (%rdi),%xmm0", "\xf3\x0f\x53\x07", 4, R, 4 },
	{ "xorps (%rdi),%xmm0", "\x0f\x57\x07", 3, R, 16 },
	{ "andpd 0x0(%rip),%xmm1", "\x66\x0f\x54\x0d\x00\x00\x00\x00", 8, R, 16 },
	{ "andnps (%rdi),%xmm0", "\x0f\x55\x07", 3, R, 16 },
	{ "unpcklps (%rdi),%xmm0", "\x0f\x14\x07", 3, R, 16 },
	{ "shufps $0x1b,(%rdi),%xmm0", "\x0f\xc6\x07\x1b", 4, R, 16 },
	{ "cmpltps (%rdi),%xmm0", "\x0f\xc2\x07\x01", 4, R, 16 },
	{ "cmpeqsd (%rdi),%xmm0", "\xf2\x0f\xc2\x07\x00", 5, R, 8 },
	{ "haddps (%rdi),%xmm0", "\xf2\x0f\x7c\x07", 4, R, 16 },
	{ "cvtss2sd (%rdi),%xmm0", "\xf3\x0f\x5a\x07", 4, R, 4 },
	{ "cvtsd2ss (%rdi),%xmm0", "\xf2\x0f\x5a\x07", 4, R, 8 },
	{ "cvtps2pd (%rdi),%xmm0", "\x0f\x5a\x07", 3, R, 8 },
	{ "cvtpd2ps (%rdi),%xmm0", "\x66\x0f\x5a\x07", 4, R, 16 },
	{ "cvtdq2pd (%rdi),%xmm0", "\xf3\x0f\xe6\x07", 4, R, 8 },
	{ "cvtdq2ps (%rdi),%xmm0", "\x0f\x5b\x07", 3, R, 16 },
	{ "cvttpd2dq (%rdi),%xmm0", "\x66\x0f\xe6\x07", 4, R, 16 },
	{ "cvtsi2sdl (%rdi),%xmm0", "\xf2\x0f\x2a\x07", 4, R, 4 },
	{ "cvtsi2sdq (%rdi),%xmm0", "\xf2\x48\x0f\x2a\x07", 5, R, 8 },
	{ "cvtsi2ssl (%rdi),%xmm0", "\xf3\x0f\x2a\x07", 4, R, 4 },
	{ "cvttsd2si (%rdi),%eax", "\xf2\x0f\x2c\x07", 4, R, 8 },
	{ "cvttss2si (%rdi),%rax", "\xf3\x48\x0f\x2c\x07", 5, R, 4 },
	{ "cvtsd2si (%rdi),%rax", "\xf2\x48\x0f\x2d\x07", 5, R, 8 },
	{ "cvtpi2ps (%rdi),%xmm0", "\x0f\x2a\x07", 3, R, 8 },
	{ "ucomisd (%rdi),%xmm0", "\x66\x0f\x2e\x07", 4, R, 8 },
	{ "ucomiss (%rdi),%xmm0", "\x0f\x2e\x07", 3, R, 4 },
	{ "comisd (%rdi),%xmm0", "\x66\x0f\x2f\x07", 4, R, 8 },
	{ "addps %xmm1,%xmm0", "\x0f\x58\xc1", 3, F, 0 },
	{ "pxor (%rdi),%xmm0", "\x66\x0f\xef\x07", 4, R, 16 },
	{ "pxor (%rdi),%mm0", "\x0f\xef\x07", 3, R, 8 },
	{ "pcmpeqb (%rdi),%xmm1", "\x66\x0f\x74\x0f", 4, R, 16 },
	{ "pminub (%rdi),%xmm0", "\x66\x0f\xda\x07", 4, R, 16 },
	{ "paddq (%rdi),%xmm0", "\x66\x0f\xd4\x07", 4, R, 16 },
	{ "pmovmskb %xmm0,%eax", "\x66\x0f\xd7\xc0", 4, F, 0 },
	{ "punpcklbw (%rdi),%xmm0", "\x66\x0f\x60\x07", 4, R, 16 },
	{ "punpcklbw (%rdi),%mm0", "\x0f\x60\x07", 3, R, 4 },
	{ "punpcklqdq (%rdi),%xmm0", "\x66\x0f\x6c\x07", 4, R, 16 },
	{ "pshufd $0x1b,(%rdi),%xmm0", "\x66\x0f\x70\x07\x1b", 5, R, 16 },
	{ "pshufw $0x1b,(%rdi),%mm0", "\x0f\x70\x07\x1b", 4, R, 8 },
	{ "psrlq (%rdi),%xmm0", "\x66\x0f\xd3\x07", 4, R, 16 },
	{ "psllw (%rdi),%mm0", "\x0f\xf1\x07", 3, R, 8 },
	{ "psrlq $0x3,%xmm0", "\x66\x0f\x73\xd0\x03", 5, F, 0 },
	{ "pinsrw $0x1,(%rdi),%xmm0", "\x66\x0f\xc4\x07\x01", 5, R, 2 },
	{ "pmaddwd (%rdi),%xmm0", "\x66\x0f\xf5\x07", 4, R, 16 },
	{ "psadbw (%rdi),%xmm0", "\x66\x0f\xf6\x07", 4, R, 16 },
	/* SSSE3, SSE4, AES */
	{ "pshufb (%rdi),%xmm0", "\x66\x0f\x38\x00\x07", 5, R, 16 },
	{ "pshufb (%rdi),%mm0", "\x0f\x38\x00\x07", 4, R, 8 },
	{ "palignr $0x4,(%rdi),%xmm0", "\x66\x0f\x3a\x0f\x07\x04", 6, R, 16 },
	{ "pmovzxbw (%rdi),%xmm0", "\x66\x0f\x38\x30\x07", 5, R, 8 },
	{ "pmovzxbd (%rdi),%xmm0", "\x66\x0f\x38\x31\x07", 5, R, 4 },
	{ "pmovzxbq (%rdi),%xmm0", "\x66\x0f\x38\x32\x07", 5, R, 2 },
	{ "pmovsxwd (%rdi),%xmm0", "\x66\x0f\x38\x23\x07", 5, R, 8 },
	{ "pmovsxwq (%rdi),%xmm0", "\x66\x0f\x38\x24\x07", 5, R, 4 },
	{ "pmovsxdq (%rdi),%xmm0", "\x66\x0f\x38\x25\x07", 5, R, 8 },
	{ "pextrb $0x1,%xmm0,(%rdi)", "\x66\x0f\x3a\x14\x07\x01", 6, W, 1 },
	{ "pextrw $0x1,%xmm0,(%rdi)", "\x66\x0f\x3a\x15\x07\x01", 6, W, 2 },
	{ "pextrd $0x1,%xmm0,(%rdi)", "\x66\x0f\x3a\x16\x07\x01", 6, W, 4 },
	{ "pextrq $0x1,%xmm0,(%rdi)", "\x66\x48\x0f\x3a\x16\x07\x01", 7, W, 8 },
	{ "extractps $0x1,%xmm0,(%rdi)", "\x66\x0f\x3a\x17\x07\x01", 6, W, 4 },
	{ "pinsrb $0x1,(%rdi),%xmm0", "\x66\x0f\x3a\x20\x07\x01", 6, R, 1 },
	{ "pinsrd $0x1,(%rdi),%xmm0", "\x66\x0f\x3a\x22\x07\x01", 6, R, 4 },
	{ "pinsrq $0x1,(%rdi),%xmm0", "\x66\x48\x0f\x3a\x22\x07\x01", 7, R, 8 },
	{ "insertps $0x10,(%rdi),%xmm0", "\x66\x0f\x3a\x21\x07\x10", 6, R, 4 },
	{ "roundsd $0x4,(%rdi),%xmm0", "\x66\x0f\x3a\x0b\x07\x04", 6, R, 8 },
	{ "roundss $0x4,(%rdi),%xmm0", "\x66\x0f\x3a\x0a\x07\x04", 6, R, 4 },
	{ "roundps $0x4,(%rdi),%xmm0", "\x66\x0f\x3a\x08\x07\x04", 6, R, 16 },
	{ "ptest (%rdi),%xmm0", "\x66\x0f\x38\x17\x07", 5, R, 16 },
	{ "pcmpistri $0x1a,(%rdi),%xmm0", "\x66\x0f\x3a\x63\x07\x1a", 6, R, 16 },
	{ "movntdqa (%rdi),%xmm0", "\x66\x0f\x38\x2a\x07", 5, R, 16 },
	{ "pminud (%rdi),%xmm0", "\x66\x0f\x38\x3b\x07", 5, R, 16 },
	{ "pmulld (%rdi),%xmm0", "\x66\x0f\x38\x40\x07", 5, R, 16 },
	{ "blendvps %xmm0,(%rdi),%xmm1", "\x66\x0f\x38\x14\x0f", 5, R, 16 },
	{ "aesenc (%rdi),%xmm0", "\x66\x0f\x38\xdc\x07", 5, R, 16 },
	{ "pclmulqdq $0x0,(%rdi),%xmm0", "\x66\x0f\x3a\x44\x07\x00", 6, R, 16 },
	{ "sha256rnds2 %xmm0,(%rdi),%xmm1", "\x0f\x38\xcb\x0f", 4, R, 16 },
	{ "adcx (%rdi),%eax", "\x66\x0f\x38\xf6\x07", 5, R, 4 },
	{ "adox (%rdi),%rax", "\xf3\x48\x0f\x38\xf6\x07", 6, R, 8 },
	/* AVX */
	{ "vmovups (%rdi),%xmm0", "\xc5\xf8\x10\x07", 4, R, 16 },
	{ "vmovups (%rdi),%ymm0", "\xc5\xfc\x10\x07", 4, R, 32 },
	{ "vmovups %ymm0,(%rdi)", "\xc5\xfc\x11\x07", 4, W, 32 },
	{ "vmovaps %xmm8,(%rdi)", "\xc5\x78\x29\x07", 4, W, 16 },
	{ "vmovapd (%rdi),%ymm9", "\xc5\x7d\x28\x0f", 4, R, 32 },
	{ "vmovdqu (%rsi),%ymm0", "\xc5\xfe\x6f\x06", 4, R, 32 },
	{ "vmovdqu %ymm0,0x20(%rdi)", "\xc5\xfe\x7f\x47\x20", 5, W, 32 },
	{ "vmovdqa %ymm1,(%rdi)", "\xc5\xfd\x7f\x0f", 4, W, 32 },
	{ "vmovdqa (%rdi),%xmm1", "\xc5\xf9\x6f\x0f", 4, R, 16 },
	{ "vmovdqu %xmm1,-0x10(%rdi,%rdx,1)", "\xc5\xfa\x7f\x4c\x17\xf0", 6, W, 16 },
	{ "vmovdqu (%r8),%ymm12", "\xc4\x41\x7e\x6f\x20", 5, R, 32 },
	{ "vmovss (%rdi),%xmm0", "\xc5\xfa\x10\x07", 4, R, 4 },
	{ "vmovss %xmm0,(%rdi)", "\xc5\xfa\x11\x07", 4, W, 4 },
	{ "vmovsd (%rdi),%xmm0", "\xc5\xfb\x10\x07", 4, R, 8 },
	{ "vmovsd %xmm0,(%rdi)", "\xc5\xfb\x11\x07", 4, W, 8 },
	{ "vmovq (%rdi),%xmm0", "\xc5\xfa\x7e\x07", 4, R, 8 },
	{ "vmovq %xmm0,(%rdi)", "\xc5\xf9\xd6\x07", 4, W, 8 },
	{ "vmovd (%rdi),%xmm0", "\xc5\xf9\x6e\x07", 4, R, 4 },
	{ "vmovd %xmm0,(%rdi)", "\xc5\xf9\x7e\x07", 4, W, 4 },
	{ "vmovq (%rdi),%xmm0 (VEX.W1 6E)", "\xc4\xe1\xf9\x6e\x07", 5, R, 8 },
	{ "vmovq %xmm0,(%rdi) (VEX.W1 7E)", "\xc4\xe1\xf9\x7e\x07", 5, W, 8 },
	{ "vmovq %rax,%xmm0", "\xc4\xe1\xf9\x6e\xc0", 5, F, 0 },
	{ "vmovlps %xmm0,(%rdi)", "\xc5\xf8\x13\x07", 4, W, 8 },
	{ "vmovhpd (%rdi),%xmm1,%xmm0", "\xc5\xf1\x16\x07", 4, R, 8 },
	{ "vmovddup (%rdi),%xmm0", "\xc5\xfb\x12\x07", 4, R, 8 },
	{ "vmovddup (%rdi),%ymm0", "\xc5\xff\x12\x07", 4, R, 32 },
	{ "vmovntdq %ymm0,(%rdi)", "\xc5\xfd\xe7\x07", 4, W, 32 },
	{ "vmovntps %xmm0,(%rdi)", "\xc5\xf8\x2b\x07", 4, W, 16 },
	{ "vmovntdqa (%rdi),%ymm0", "\xc4\xe2\x7d\x2a\x07", 5, R, 32 },
	{ "vlddqu (%rdi),%ymm0", "\xc5\xff\xf0\x07", 4, R, 32 },
	{ "vpcmpeqb (%rdi),%ymm0,%ymm1", "\xc5\xfd\x74\x0f", 4, R, 32 },
	{ "vpcmpeqb 0x20(%rdi),%ymm0,%ymm2", "\xc5\xfd\x74\x57\x20", 5, R, 32 },
	{ "vpcmpeqb (%rdi),%xmm0,%xmm1", "\xc5\xf9\x74\x0f", 4, R, 16 },
	{ "vpminub (%rdi),%ymm1,%ymm2", "\xc5\xf5\xda\x17", 4, R, 32 },
	{ "vpminub 0x40(%rdi),%ymm1,%ymm2", "\xc5\xf5\xda\x57\x40", 5, R, 32 },
	{ "vpxor (%rdi),%ymm0,%ymm0", "\xc5\xfd\xef\x07", 4, R, 32 },
	{ "vpand (%rdi),%xmm0,%xmm0", "\xc5\xf9\xdb\x07", 4, R, 16 },
	{ "vpor 0x0(%rip),%ymm0,%ymm0", "\xc5\xfd\xeb\x05\x00\x00\x00\x00", 8, R, 32 },
	{ "vpshufb (%rdi),%ymm0,%ymm0", "\xc4\xe2\x7d\x00\x07", 5, R, 32 },
	{ "vpalignr $0x4,(%rdi),%ymm0,%ymm0", "\xc4\xe3\x7d\x0f\x07\x04", 6, R, 32 },
	{ "vpcmpistri $0x1a,(%rdi),%xmm0", "\xc4\xe3\x79\x63\x07\x1a", 6, R, 16 },
	{ "vpmovmskb %ymm1,%eax", "\xc5\xfd\xd7\xc1", 4, F, 0 },
	{ "vzeroupper", "\xc5\xf8\x77", 3, F, 0 },
	{ "vpxor %ymm0,%ymm0,%ymm0", "\xc5\xfd\xef\xc0", 4, F, 0 },
	{ "vbroadcastss (%rdi),%ymm0", "\xc4\xe2\x7d\x18\x07", 5, R, 4 },
	{ "vbroadcastsd (%rdi),%ymm0", "\xc4\xe2\x7d\x19\x07", 5, R, 8 },
	{ "vbroadcastf128 (%rdi),%ymm0", "\xc4\xe2\x7d\x1a\x07", 5, R, 16 },
	{ "vpbroadcastb (%rdi),%ymm0", "\xc4\xe2\x7d\x78\x07", 5, R, 1 },
	{ "vpbroadcastw (%rdi),%xmm0", "\xc4\xe2\x79\x79\x07", 5, R, 2 },
	{ "vpbroadcastd (%rdi),%ymm0", "\xc4\xe2\x7d\x58\x07", 5, R, 4 },
	{ "vpbroadcastq (%rdi),%ymm0", "\xc4\xe2\x7d\x59\x07", 5, R, 8 },
	{ "vbroadcasti128 (%rdi),%ymm0", "\xc4\xe2\x7d\x5a\x07", 5, R, 16 },
	{ "vinserti128 $0x1,(%rdi),%ymm0,%ymm0", "\xc4\xe3\x7d\x38\x07\x01", 6, R, 16 },
	{ "vinsertf128 $0x1,(%rdi),%ymm0,%ymm0", "\xc4\xe3\x7d\x18\x07\x01", 6, R, 16 },
	{ "vextracti128 $0x1,%ymm0,(%rdi)", "\xc4\xe3\x7d\x39\x07\x01", 6, W, 16 },
	{ "vextractf128 $0x1,%ymm0,(%rdi)", "\xc4\xe3\x7d\x19\x07\x01", 6, W, 16 },
	{ "vpmovzxbw (%rdi),%ymm0", "\xc4\xe2\x7d\x30\x07", 5, R, 16 },
	{ "vpmovzxbd (%rdi),%ymm0", "\xc4\xe2\x7d\x31\x07", 5, R, 8 },
	{ "vpmovzxbq (%rdi),%ymm0", "\xc4\xe2\x7d\x32\x07", 5, R, 4 },
	{ "vpmovsxdq (%rdi),%ymm0", "\xc4\xe2\x7d\x25\x07", 5, R, 16 },
	{ "vaddps (%rdi),%ymm0,%ymm1", "\xc5\xfc\x58\x0f", 4, R, 32 },
	{ "vaddss (%rdi),%xmm0,%xmm1", "\xc5\xfa\x58\x0f", 4, R, 4 },
	{ "vmulsd (%rdi),%xmm0,%xmm1", "\xc5\xfb\x59\x0f", 4, R, 8 },
	{ "vdivpd (%rdi),%xmm0,%xmm1", "\xc5\xf9\x5e\x0f", 4, R, 16 },
	{ "vsqrtpd (%rdi),%ymm0", "\xc5\xfd\x51\x07", 4, R, 32 },
	{ "vxorps (%rdi),%ymm0,%ymm0", "\xc5\xfc\x57\x07", 4, R, 32 },
	{ "vfmadd231ps (%rdi),%ymm1,%ymm0", "\xc4\xe2\x75\xb8\x07", 5, R, 32 },
	{ "vfmadd231sd (%rdi),%xmm1,%xmm0", "\xc4\xe2\xf1\xb9\x07", 5, R, 8 },
	{ "vfmadd213ss (%rdi),%xmm1,%xmm0", "\xc4\xe2\x71\xa9\x07", 5, R, 4 },
	{ "vfnmadd132pd (%rdi),%xmm1,%xmm0", "\xc4\xe2\xf1\x9c\x07", 5, R, 16 },
	{ "vcvtdq2pd (%rdi),%ymm0", "\xc5\xfe\xe6\x07", 4, R, 16 },
	{ "vcvtps2pd (%rdi),%ymm0", "\xc5\xfc\x5a\x07", 4, R, 16 },
	{ "vcvtps2pd (%rdi),%xmm0", "\xc5\xf8\x5a\x07", 4, R, 8 },
	{ "vcvtsi2sdq (%rdi),%xmm0,%xmm0", "\xc4\xe1\xfb\x2a\x07", 5, R, 8 },
	{ "vcvttsd2si (%rdi),%eax", "\xc5\xfb\x2c\x07", 4, R, 8 },
	{ "vcvtph2ps (%rdi),%ymm0", "\xc4\xe2\x7d\x13\x07", 5, R, 16 },
	{ "vcvtps2ph $0x0,%ymm0,(%rdi)", "\xc4\xe3\x7d\x1d\x07\x00", 6, W, 16 },
	{ "vucomiss (%rdi),%xmm0", "\xc5\xf8\x2e\x07", 4, R, 4 },
	{ "vcmpltps (%rdi),%ymm0,%ymm1", "\xc5\xfc\xc2\x0f\x01", 5, R, 32 },
	{ "vshufps $0x1b,(%rdi),%ymm0,%ymm1", "\xc5\xfc\xc6\x0f\x1b", 5, R, 32 },
	{ "vpsrlq (%rdi),%ymm0,%ymm1", "\xc5\xfd\xd3\x0f", 4, R, 16 },
	{ "vpsllw (%rdi),%xmm0,%xmm1", "\xc5\xf9\xf1\x0f", 4, R, 16 },
	{ "vpshufd $0x1b,(%rdi),%ymm0", "\xc5\xfd\x70\x07\x1b", 5, R, 32 },
	{ "vpermq $0x1b,(%rdi),%ymm0", "\xc4\xe3\xfd\x00\x07\x1b", 6, R, 32 },
	{ "vpermd (%rdi),%ymm1,%ymm0", "\xc4\xe2\x75\x36\x07", 5, R, 32 },
	{ "vpinsrw $0x1,(%rdi),%xmm0,%xmm0", "\xc5\xf9\xc4\x07\x01", 5, R, 2 },
	{ "vpinsrd $0x1,(%rdi),%xmm0,%xmm0", "\xc4\xe3\x79\x22\x07\x01", 6, R, 4 },
	{ "vpinsrq $0x1,(%rdi),%xmm0,%xmm0", "\xc4\xe3\xf9\x22\x07\x01", 6, R, 8 },
	{ "vpextrq $0x1,%xmm0,(%rdi)", "\xc4\xe3\xf9\x16\x07\x01", 6, W, 8 },
	{ "vpextrb $0x1,%xmm0,(%rdi)", "\xc4\xe3\x79\x14\x07\x01", 6, W, 1 },
	{ "vmaskmovps (%rdi),%ymm1,%ymm0", "\xc4\xe2\x75\x2c\x07", 5, R, 32 },
	{ "vmaskmovps %ymm0,%ymm1,(%rdi)", "\xc4\xe2\x75\x2e\x07", 5, W, 32 },
	{ "vpmaskmovd %xmm0,%xmm1,(%rdi)", "\xc4\xe2\x71\x8e\x07", 5, W, 16 },
	{ "vpgatherdd %ymm2,(%rdi,%ymm1,4),%ymm0", "\xc4\xe2\x6d\x90\x04\x8f", 6, R, 0 },
	{ "vldmxcsr (%rdi)", "\xc5\xf8\xae\x17", 4, R, 4 },
	{ "vstmxcsr (%rdi)", "\xc5\xf8\xae\x1f", 4, W, 4 },
	/* BMI and mask registers */
	{ "andn (%rdi),%eax,%ecx", "\xc4\xe2\x78\xf2\x0f", 5, R, 4 },
	{ "andn (%rdi),%rax,%rcx", "\xc4\xe2\xf8\xf2\x0f", 5, R, 8 },
	{ "shlx %eax,(%rdi),%ecx", "\xc4\xe2\x79\xf7\x0f", 5, R, 4 },
	{ "sarx %rax,(%rdi),%rcx", "\xc4\xe2\xfa\xf7\x0f", 5, R, 8 },
	{ "bextr %eax,(%rdi),%ecx", "\xc4\xe2\x78\xf7\x0f", 5, R, 4 },
	{ "bzhi %rax,(%rdi),%rcx", "\xc4\xe2\xf8\xf5\x0f", 5, R, 8 },
	{ "pdep (%rdi),%rax,%rcx", "\xc4\xe2\xfb\xf5\x0f", 5, R, 8 },
	{ "mulx (%rdi),%rax,%rcx", "\xc4\xe2\xfb\xf6\x0f", 5, R, 8 },
	{ "rorx $0x3,(%rdi),%eax", "\xc4\xe3\x7b\xf0\x07\x03", 6, R, 4 },
	{ "blsr (%rdi),%rax", "\xc4\xe2\xf8\xf3\x0f", 5, R, 8 },
	{ "blsi (%rdi),%eax", "\xc4\xe2\x78\xf3\x1f", 5, R, 4 },
	{ "kmovw (%rdi),%k1", "\xc5\xf8\x90\x0f", 4, R, 2 },
	{ "kmovw %k1,(%rdi)", "\xc5\xf8\x91\x0f", 4, W, 2 },
	{ "kmovq %k1,(%rdi)", "\xc4\xe1\xf8\x91\x0f", 5, W, 8 },
	{ "kmovb (%rdi),%k1", "\xc5\xf9\x90\x0f", 4, R, 1 },
	{ "kmovd %k1,(%rdi)", "\xc4\xe1\xf9\x91\x0f", 5, W, 4 },
	{ "kmovw %k1,%eax", "\xc5\xf8\x93\xc1", 4, F, 0 },
	/* AVX-512 (EVEX) */
	{ "vmovdqu64 (%rsi),%zmm16", "\x62\xe1\xfe\x48\x6f\x06", 6, R, 64 },
	{ "vmovdqu64 %zmm16,(%rdi)", "\x62\xe1\xfe\x48\x7f\x07", 6, W, 64 },
	{ "vmovdqu64 %ymm16,0x20(%rdi)", "\x62\xe1\xfe\x28\x7f\x47\x01", 7, W, 32 },
	{ "vmovdqu64 (%rsi),%xmm16", "\x62\xe1\xfe\x08\x6f\x06", 6, R, 16 },
	{ "vmovdqu8 (%rsi),%zmm0", "\x62\xf1\x7f\x48\x6f\x06", 6, R, 64 },
	{ "vmovdqu8 %ymm16,(%rdi){%k1}", "\x62\xe1\x7f\x29\x7f\x07", 6, W, 32 },
	{ "vmovdqu8 (%rsi),%zmm16{%k1}{z}", "\x62\xe1\x7f\xc9\x6f\x06", 6, R, 64 },
	{ "vmovdqu16 (%rdi),%ymm16", "\x62\xe1\xff\x28\x6f\x07", 6, R, 32 },
	{ "vmovdqu32 0x40(%rdi),%zmm1", "\x62\xf1\x7e\x48\x6f\x4f\x01", 7, R, 64 },
	{ "vmovdqa32 (%rdi),%xmm16", "\x62\xe1\x7d\x08\x6f\x07", 6, R, 16 },
	{ "vmovdqa64 %zmm0,0x40(%rsp)", "\x62\xf1\xfd\x48\x7f\x44\x24\x01", 8, W, 64 },
	{ "vmovups (%rdi),%zmm0", "\x62\xf1\x7c\x48\x10\x07", 6, R, 64 },
	{ "vmovaps %zmm0,0x40(%rdi)", "\x62\xf1\x7c\x48\x29\x47\x01", 7, W, 64 },
	{ "vmovapd -0x80(%rdi),%zmm1", "\x62\xf1\xfd\x48\x28\x4f\xfe", 7, R, 64 },
	{ "vmovntdq %zmm16,(%rdi)", "\x62\xe1\x7d\x48\xe7\x07", 6, W, 64 },
	{ "vmovq (%rdi),%xmm16", "\x62\xe1\xfd\x08\x6e\x07", 6, R, 8 },
	{ "vmovq %xmm16,(%rdi)", "\x62\xe1\xfd\x08\x7e\x07", 6, W, 8 },
	{ "vmovd %xmm16,(%rdi)", "\x62\xe1\x7d\x08\x7e\x07", 6, W, 4 },
	{ "vmovss (%rdi),%xmm16", "\x62\xe1\x7e\x08\x10\x07", 6, R, 4 },
	{ "vmovsd %xmm16,(%rdi)", "\x62\xe1\xff\x08\x11\x07", 6, W, 8 },
	{ "vpcmpb $0x0,(%rdi),%zmm16,%k1", "\x62\xf3\x7d\x40\x3f\x0f\x00", 7, R, 64 },
	{ "vpcmpub $0x4,0x40(%rdi),%zmm16,%k1", "\x62\xf3\x7d\x40\x3e\x4f\x01\x04", 8, R, 64 },
	{ "vpcmpneqb (%rdi),%ymm16,%k1", "\x62\xf3\x7d\x20\x3f\x0f\x04", 7, R, 32 },
	{ "vpcmpeqb (%rdi),%zmm16,%k1", "\x62\xf1\x7d\x40\x74\x0f", 6, R, 64 },
	{ "vpcmpeqb (%rdi),%ymm16,%k1", "\x62\xf1\x7d\x20\x74\x0f", 6, R, 32 },
	{ "vpminub (%rdi),%zmm16,%zmm17", "\x62\xe1\x7d\x40\xda\x0f", 6, R, 64 },
	{ "vpminub 0x20(%rdi),%ymm16,%ymm17", "\x62\xe1\x7d\x20\xda\x4f\x01", 7, R, 32 },
	{ "vpminud (%rdi),%zmm16,%zmm17", "\x62\xe2\x7d\x40\x3b\x0f", 6, R, 64 },
	{ "vptestnmb (%rdi),%zmm16,%k1", "\x62\xf2\x7e\x40\x26\x0f", 6, R, 64 },
	{ "vptestmb (%rdi),%ymm16,%k1", "\x62\xf2\x7d\x20\x26\x0f", 6, R, 32 },
	{ "vpternlogd $0xde,(%rdi),%zmm16,%zmm17", "\x62\xe3\x7d\x40\x25\x0f\xde", 7, R, 64 },
	{ "vpxorq (%rdi),%zmm16,%zmm16", "\x62\xe1\xfd\x40\xef\x07", 6, R, 64 },
	{ "vpaddd (%rdi){1to16},%zmm0,%zmm1", "\x62\xf1\x7d\x58\xfe\x0f", 6, R, 4 },
	{ "vaddpd (%rdi){1to8},%zmm0,%zmm1", "\x62\xf1\xfd\x58\x58\x0f", 6, R, 8 },
	{ "vpandq (%rdi){1to4},%ymm16,%ymm17", "\x62\xe1\xfd\x30\xdb\x0f", 6, R, 8 },
	{ "vfmadd231ps (%rdi),%zmm1,%zmm0", "\x62\xf2\x75\x48\xb8\x07", 6, R, 64 },
	{ "vfmadd231ps (%rdi){1to16},%zmm1,%zmm0", "\x62\xf2\x75\x58\xb8\x07", 6, R, 4 },
	{ "vaddss (%rdi),%xmm16,%xmm17", "\x62\xe1\x7e\x00\x58\x0f", 6, R, 4 },
	{ "vpbroadcastb (%rdi),%zmm16", "\x62\xe2\x7d\x48\x78\x07", 6, R, 1 },
	{ "vpbroadcastd (%rdi),%zmm16", "\x62\xe2\x7d\x48\x58\x07", 6, R, 4 },
	{ "vbroadcastss (%rdi),%zmm0", "\x62\xf2\x7d\x48\x18\x07", 6, R, 4 },
	{ "vbroadcasti32x4 (%rdi),%zmm0", "\x62\xf2\x7d\x48\x5a\x07", 6, R, 16 },
	{ "vbroadcasti64x4 (%rdi),%zmm0", "\x62\xf2\xfd\x48\x5b\x07", 6, R, 32 },
	{ "vextracti64x4 $0x1,%zmm0,(%rdi)", "\x62\xf3\xfd\x48\x3b\x07\x01", 7, W, 32 },
	{ "vextracti32x4 $0x1,%zmm0,(%rdi)", "\x62\xf3\x7d\x48\x39\x07\x01", 7, W, 16 },
	{ "vinserti64x4 $0x1,(%rdi),%zmm0,%zmm0", "\x62\xf3\xfd\x48\x3a\x07\x01", 7, R, 32 },
	{ "vpmovwb %zmm0,(%rdi)", "\x62\xf2\x7e\x48\x30\x07", 6, W, 32 },
	{ "vpmovdb %zmm0,(%rdi)", "\x62\xf2\x7e\x48\x31\x07", 6, W, 16 },
	{ "vpmovqb %zmm0,(%rdi)", "\x62\xf2\x7e\x48\x32\x07", 6, W, 8 },
	{ "vpmovqd %ymm0,(%rdi)", "\x62\xf2\x7e\x28\x35\x07", 6, W, 16 },
	{ "vpmovzxbw (%rdi),%zmm0", "\x62\xf2\x7d\x48\x30\x07", 6, R, 32 },
	{ "vpmovzxbd (%rdi),%zmm0", "\x62\xf2\x7d\x48\x31\x07", 6, R, 16 },
	{ "vpsrlq $0x3,(%rdi),%zmm0", "\x62\xf1\xfd\x48\x73\x17\x03", 7, R, 64 },
	{ "vpsrlq (%rdi),%zmm0,%zmm1", "\x62\xf1\xfd\x48\xd3\x0f", 6, R, 16 },
	{ "vprold $0x3,(%rdi),%zmm0", "\x62\xf1\x7d\x48\x72\x0f\x03", 7, R, 64 },
	{ "vpcompressd %zmm0,(%rdi)", "\x62\xf2\x7d\x48\x8b\x07", 6, W, 0 },
	{ "vpexpandd (%rdi),%zmm0", "\x62\xf2\x7d\x48\x89\x07", 6, R, 0 },
	{ "vpscatterdd %zmm0,(%rdi,%zmm1,4){%k1}", "\x62\xf2\x7d\x49\xa0\x04\x8f", 7, W, 0 },
	{ "vmovdqu64 %zmm16,%zmm17", "\x62\xa1\xfe\x48\x6f\xc8", 6, F, 0 },
	/* invalid or not decodable */
	{ "REX before VEX: #UD", "\x48\xc5\xfe\x6f\x06", 5, F, 0 },
	{ "66 before VEX: #UD", "\x66\xc5\xfe\x6f\x06", 5, F, 0 },
	{ "lock before VEX: #UD", "\xf0\xc5\xfe\x6f\x06", 5, F, 0 },
	{ "EVEX with L'L = 3", "\x62\xe1\xfe\x68\x6f\x06", 6, F, 0 },
	{ "VEX map 0", "\xc4\xe0\x7e\x6f\x06", 5, F, 0 },
	{ "8F /1: XOP, not pop", "\x8f\x08\xa2\x06\x00", 5, F, 0 },
	{ "C7 /1: undefined", "\xc7\x0f\x00\x00\x00\x00", 6, F, 0 },
	{ "FE /2: undefined", "\xfe\x17", 2, F, 0 },
	{ "FF /7: undefined", "\xff\x3f", 2, F, 0 },
	{ "3DNow! pfadd (%rdi),%mm0", "\x0f\x0f\x07\x9e", 4, F, 0 },
	{ "13 x 66, mov %ax,(%rdi): 15 bytes", "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x89\x07", 15, W, 2 },
	{ "14 x 66, mov %ax,(%rdi): 16 bytes, too long", "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x89\x07", 16, F, 0 },
	{ "REX.W then 66: REX ignored, mov %ax,(%rdi)", "\x48\x66\x89\x07", 4, W, 2 },
	{ "66 then REX.W: mov %rax,(%rdi)", "\x66\x48\x89\x07", 4, W, 8 },
	{ "ud2", "\x0f\x0b", 2, F, 0 },
	{ "hlt", "\xf4", 1, F, 0 },
	{ "int3", "\xcc", 1, F, 0 },
	{ "syscall", "\x0f\x05", 2, F, 0 },
	{ "rdtsc", "\x0f\x31", 2, F, 0 },
	{ "cpuid", "\x0f\xa2", 2, F, 0 },
};
#define NCASES (sizeof cases / sizeof cases[0])

static bool matches(const struct tcase *c, bool ok, const struct mc_access *a)
{
	if (c->kind == F)
		return !ok && !a->size && !a->read && !a->write && !a->length;
	return ok && a->length == c->len && a->size == c->size &&
	       a->read == (c->kind == R || c->kind == RW) && a->write == (c->kind == W || c->kind == RW);
}

static void show(const struct tcase *c, bool ok, const struct mc_access *a, size_t avail)
{
	static const char *kinds[] = { "false", "address", "read", "write", "read+write" };
	printf("  %s (avail %zu): expected %s size %u length %u, got %s size %u length %u%s%s\n",
	       c->text, avail, kinds[c->kind], c->size, c->kind == F ? 0 : c->len,
	       ok ? "true" : "false", a->size, a->length, a->read ? " read" : "", a->write ? " write" : "");
}

/* Two pages, the second PROT_NONE: bytes copied to the end of the first
 * can be decoded only if nothing past avail is read. */
static uint8_t *guard;
static const long page = 4096;

static const uint8_t *at_page_end(const void *code, size_t n)
{
	uint8_t *p = guard + page - n;
	memcpy(p, code, n);
	return p;
}

/* Every case decoded from the end of a page, told avail bytes are there
 * (0: exactly the instruction's); returns how many disagree. */
static int table_mismatches(size_t avail)
{
	int bad = 0;
	for (size_t i = 0; i < NCASES; i++) {
		const struct tcase *c = &cases[i];
		size_t n = avail ? avail : c->len;
		struct mc_access a;
		memset(&a, 0xAA, sizeof a);
		bool ok = mc_insn_access(at_page_end(c->code, c->len), n, &a);
		if (!matches(c, ok, &a)) {
			show(c, ok, &a, n);
			bad++;
		}
	}
	return bad;
}

static void test_table(void)
{
	CHECK_INT(table_mismatches(0), 0);
}

/* What the fault handler does: avail 15 whatever the instruction's length;
 * only the instruction's own bytes are readable, the rest is the guard page. */
static void test_reads_within(void)
{
	CHECK_INT(table_mismatches(15), 0);
}

/* Every prefix of every instruction: false (and *out zeroed) until the
 * whole instruction is there; more bytes after it change nothing. */
static void test_truncated(void)
{
	int bad = 0;
	for (size_t i = 0; i < NCASES; i++) {
		const struct tcase *c = &cases[i];
		struct mc_access a;
		for (size_t n = 0; n < c->len; n++) {
			memset(&a, 0xAA, sizeof a);
			bool ok = mc_insn_access(at_page_end(c->code, n), n, &a);
			if (ok || a.size || a.read || a.write || a.length) {
				show(c, ok, &a, n);
				bad++;
			}
		}
		if (c->kind == F)
			continue;
		uint8_t buf[48];
		for (int fill = 0; fill < 256; fill += 0x55) {
			memcpy(buf, c->code, c->len);
			memset(buf + c->len, fill, sizeof buf - c->len);
			bool ok = mc_insn_access(at_page_end(buf, sizeof buf), sizeof buf, &a);
			if (!matches(c, ok, &a)) {
				show(c, ok, &a, sizeof buf);
				bad++;
			}
		}
	}
	CHECK_INT(bad, 0);
}

static bool plausible(bool ok, const struct mc_access *a, size_t avail)
{
	if (!ok)
		return !a->size && !a->read && !a->write && !a->length;
	if (a->length < 1 || a->length > 15 || a->length > avail)
		return false;
	if (!a->read && !a->write)
		return !a->size;
	switch (a->size) {
	case 0: case 1: case 2: case 4: case 6: case 8: case 10: case 16: case 28: case 32:
	case 64: case 108: case 512:
		return true;
	}
	return false;
}

/* All 2^24 three-byte inputs ending at the guard page. */
static void test_all_three_bytes(void)
{
	uint8_t *p = guard + page - 3;
	long bad = 0, decoded = 0;
	for (uint32_t v = 0; v < (1u << 24); v++) {
		p[0] = v >> 16;
		p[1] = v >> 8;
		p[2] = v;
		struct mc_access a;
		bool ok = mc_insn_access(p, 3, &a);
		decoded += ok;
		if (!plausible(ok, &a, 3) && bad++ < 10)
			printf("  %02x %02x %02x: size %u length %u\n", p[0], p[1], p[2], a.size, a.length);
	}
	CHECK_INT(bad, 0);
	CHECK(decoded > 100000); /* mov (%rax),%eax and friends */
}

/* Random 15-byte inputs (fixed seed): the result with all 15 bytes, then
 * every shorter prefix is false and exactly length bytes give the same. */
static void test_random(void)
{
	uint64_t s = 0x9E3779B97F4A7C15ull;
	long bad = 0;
	for (int it = 0; it < 1000000; it++) {
		uint8_t b[15];
		for (int k = 0; k < 15; k++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			b[k] = s >> 24;
		}
		/* Bias towards prefixes and escapes so the deeper tables are reached. */
		static const uint8_t lead[] = { 0x0f, 0xc4, 0xc5, 0x62, 0x66, 0xf3, 0xf2, 0x48, 0x41 };
		if (b[14] & 1)
			b[0] = lead[b[13] % sizeof lead];
		struct mc_access a, e;
		bool ok = mc_insn_access(at_page_end(b, 15), 15, &a);
		if (!plausible(ok, &a, 15)) {
			bad++;
			continue;
		}
		if (!ok)
			continue;
		for (size_t n = 0; n <= a.length + 1; n++) {
			/* n == length + 1: the handler's call, avail 15 and only the
			 * instruction's bytes readable */
			size_t avail = n > a.length ? 15 : n;
			bool eok = mc_insn_access(at_page_end(b, n > a.length ? a.length : n), avail, &e);
			bool want = n >= a.length;
			if (eok != want || (want && (e.size != a.size || e.read != a.read ||
						     e.write != a.write || e.length != a.length)))
				bad++;
		}
	}
	CHECK_INT(bad, 0);
}

/* ---- real faults: what the guard-page handler will see ---- */
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t faults;
static struct mc_access fault_acc;
static bool fault_ok;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	const uint8_t *rip = (const uint8_t *)uc->uc_mcontext.gregs[REG_RIP];
	struct mc_access a;
	bool ok = mc_insn_access(rip, 15, &a);
	if (!faults++) { /* the first fault is the one the test asks about */
		fault_ok = ok;
		fault_acc = a;
	}
	if (!ok || faults > 2)
		siglongjmp(fault_jmp, 1);
	uc->uc_mcontext.gregs[REG_RIP] += a.length; /* skip it, as a handler reporting and going on */
}

static volatile __m128i sink128;

static void __attribute__((noinline)) rd1(volatile uint8_t *p) { (void)*p; }
static void __attribute__((noinline)) rd2(volatile uint16_t *p) { (void)*p; }
static void __attribute__((noinline)) rd4(volatile uint32_t *p) { (void)*p; }
static void __attribute__((noinline)) rd8(volatile uint64_t *p) { (void)*p; }
static void __attribute__((noinline)) wr1(volatile uint8_t *p) { *p = 1; }
static void __attribute__((noinline)) wr2(volatile uint16_t *p) { *p = 1; }
static void __attribute__((noinline)) wr4(volatile uint32_t *p, uint32_t v) { *p = v; }
static void __attribute__((noinline)) wr8(volatile uint64_t *p, uint64_t v) { *p = v; }
static void __attribute__((noinline)) rd16(const void *p) { sink128 = _mm_loadu_si128(p); }
static void __attribute__((noinline)) wr16(void *p) { _mm_storeu_si128(p, _mm_set1_epi32(7)); }
static void __attribute__((noinline)) inc4(volatile uint32_t *p) { ++*p; }

/* Runs stmt, whose accesses hit the PROT_NONE page; true if the first
 * fault was decoded (fault_acc) and skipped. */
#define FAULT(stmt)                                                        \
	({                                                                 \
		faults = 0;                                                \
		fault_ok = false;                                          \
		if (!sigsetjmp(fault_jmp, 1)) {                            \
			stmt;                                              \
		}                                                          \
		faults >= 1 && fault_ok;                                   \
	})

static void test_real_faults(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, &old) == 0);
	uint8_t *bad = guard + page + 64;
	struct mc_access *a = &fault_acc;
	int ok = 1;
#define EXPECT(stmt, sz, r, w)                                                              \
	if (!FAULT(stmt) || a->size != (sz) || a->read != (r) || a->write != (w)) {         \
		printf("  %s: faulted %d decoded %d size %u read %d write %d\n", #stmt,       \
		       (int)faults, fault_ok, a->size, a->read, a->write);                  \
		ok = 0;                                                                     \
	}
	EXPECT(rd1((volatile uint8_t *)bad), 1, true, false);
	EXPECT(rd2((volatile uint16_t *)bad), 2, true, false);
	EXPECT(rd4((volatile uint32_t *)bad), 4, true, false);
	EXPECT(rd8((volatile uint64_t *)bad), 8, true, false);
	EXPECT(wr1((volatile uint8_t *)bad), 1, false, true);
	EXPECT(wr2((volatile uint16_t *)bad), 2, false, true);
	EXPECT(wr4((volatile uint32_t *)bad, 0x12345678), 4, false, true);
	EXPECT(wr8((volatile uint64_t *)bad, 0x123456789abcdefull), 8, false, true);
	EXPECT(rd16(bad), 16, true, false);
	EXPECT(wr16(bad), 16, false, true);
#undef EXPECT
	/* ++*p: one RMW instruction or a load then a store; either way the
	 * first fault reads 4. */
	bool inc = FAULT(inc4((volatile uint32_t *)bad));
	if (!inc || a->size != 4 || !a->read) {
		printf("  ++*p: faulted %d decoded %d size %u read %d\n", (int)faults, fault_ok, a->size, a->read);
		ok = 0;
	}
	sigaction(SIGSEGV, &old, NULL);
	CHECK(ok);
}

int main(void)
{
	guard = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + page, page, PROT_NONE))
		return 1;
	RUN(test_table);
	RUN(test_reads_within);
	RUN(test_truncated);
	RUN(test_all_three_bytes);
	RUN(test_random);
	RUN(test_real_faults);
	UNIT_EXIT();
}
