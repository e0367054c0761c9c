/* setjmp for libaom on wasm32-unknown-unknown, which has no way to unwind C.
 * libaom sets a jump point at each API entry and longjmps to it on an internal
 * error (in practice, memory it could not allocate). Here setjmp returns 0 and
 * longjmp (core/src/wasm_libc.rs) traps: the wasm instance stops with an error
 * the extension reports, rather than libaom carrying on past a failure. */
#ifndef TRACELESS_SETJMP_H
#define TRACELESS_SETJMP_H
typedef int jmp_buf[1];
#define setjmp(env) 0
_Noreturn void longjmp(jmp_buf env, int val);
#endif
