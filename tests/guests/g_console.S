/* SPDX-License-Identifier: MIT */
/*
 * Test guest for the VM manager (docs/vm.md): a serial console program.
 * Loaded at 0x8000 and started in real mode at 0000:8000 by vm.start,
 * with the boot-info block at 0x5000 ("KBI1", mgmt/vmm_boot.h). It sets
 * COM1 to 115200 8N1 with FIFOs, prints a banner with its command line,
 * memory size and the start of its initrd, then forever: echoes what it
 * receives in capitals (CR or LF comes back as CR LF) and prints a
 * heartbeat line each time TSC bit 31 flips (about every 2^31 cycles),
 * so a reader sees output keep coming. Polled: LSR.THRE before each
 * THR write, LSR.DR before reading RBR; no interrupts. A '!' makes it
 * crash on purpose (an interrupt with an empty IDT: a triple fault), so
 * tests see what a crashed guest leaves behind.
 */
#define COM1 0x3f8
#define BI 0x5000		/* boot-info block */
#define LAST 0x600		/* TSC >> 31 at the last heartbeat */
#define BEATS 0x604

	.code16
	.text
	.globl _start
_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7ff0, %sp

	/* 115200 8N1: divisor 1 behind DLAB; FIFOs on and cleared. */
	movw $COM1 + 1, %dx
	xorb %al, %al
	outb %al, %dx			/* IER: no interrupts */
	movw $COM1 + 3, %dx
	movb $0x80, %al
	outb %al, %dx			/* LCR: DLAB */
	movw $COM1, %dx
	movb $1, %al
	outb %al, %dx			/* DLL */
	incw %dx
	xorb %al, %al
	outb %al, %dx			/* DLM */
	movw $COM1 + 3, %dx
	movb $0x03, %al
	outb %al, %dx			/* LCR: 8N1 */
	movw $COM1 + 2, %dx
	movb $0x07, %al
	outb %al, %dx			/* FCR */
	movw $COM1 + 4, %dx
	movb $0x03, %al
	outb %al, %dx			/* MCR: DTR, RTS */

	movw $s_banner, %si
	call puts
	cmpl $0x3149424b, BI
	jne no_bootinfo

	movw $s_cmdline, %si
	call puts
	movw BI + 8, %si		/* cmdline_gpa (below 64 KiB) */
	call puts
	call crlf

	movw $s_memory, %si
	call puts
	movl BI + 32, %eax
	shrl $20, %eax
	call putdec
	movw $s_mib, %si
	call puts
	movl BI + 40, %eax
	call putdec
	movw $s_vcpus, %si
	call puts

	movl BI + 20, %ecx		/* initrd_size */
	testl %ecx, %ecx
	jz prompt
	movw $s_initrd, %si
	call puts
	movl %ecx, %eax
	call putdec
	movw $s_bytes, %si
	call puts
	/* The first printable bytes at 1 MiB: FFFF:0010 (no A20 gate). */
	cmpl $32, %ecx
	jbe 1f
	movl $32, %ecx
1:	movw $0xffff, %ax
	movw %ax, %fs
	movw $0x10, %si
2:	movb %fs:(%si), %al
	cmpb $0x20, %al
	jb 3f
	cmpb $0x7e, %al
	ja 3f
	call putc
	incw %si
	loop 2b
3:	movb $'"', %al
	call putc
	call crlf
	jmp prompt

no_bootinfo:
	movw $s_nobi, %si
	call puts

prompt:
	movw $s_prompt, %si
	call puts
	rdtsc
	shrdl $31, %edx, %eax
	movl %eax, LAST
	movl $0, BEATS

loop:
	rdtsc
	shrdl $31, %edx, %eax
	cmpl LAST, %eax
	je poll
	movl %eax, LAST
	incl BEATS
	movw $s_beat, %si
	call puts
	movl BEATS, %eax
	call putdec
	call crlf

poll:
	movw $COM1 + 5, %dx
	inb %dx, %al
	testb $1, %al			/* LSR.DR */
	jz idle
	movw $COM1, %dx
	inb %dx, %al
	cmpb $'!', %al
	je crash
	cmpb $'\r', %al
	je 1f
	cmpb $'\n', %al
	je 1f
	cmpb $'a', %al
	jb 2f
	cmpb $'z', %al
	ja 2f
	subb $0x20, %al
2:	call putc
	jmp loop
1:	call crlf
	jmp loop

crash:
	movw $s_crash, %si
	call puts
	lidtl idt_empty
	int $3
	hlt

	/* Fewer exits while nothing happens: spin a while between polls. */
idle:
	movw $2000, %cx
1:	pause
	loop 1b
	jmp loop

/* Write AL to THR once LSR.THRE says it is empty. */
putc:
	pushw %dx
	movb %al, %ah
1:	movw $COM1 + 5, %dx
	inb %dx, %al
	testb $0x20, %al
	jz 1b
	movb %ah, %al
	movw $COM1, %dx
	outb %al, %dx
	popw %dx
	ret

/* The NUL-terminated string at DS:SI. */
puts:
	pushw %ax
1:	lodsb
	testb %al, %al
	jz 2f
	call putc
	jmp 1b
2:	popw %ax
	ret

crlf:
	pushw %ax
	movb $'\r', %al
	call putc
	movb $'\n', %al
	call putc
	popw %ax
	ret

/* EAX in decimal. */
putdec:
	pushal
	xorw %cx, %cx
	movl $10, %ebx
1:	xorl %edx, %edx
	divl %ebx
	pushw %dx
	incw %cx
	testl %eax, %eax
	jnz 1b
2:	popw %ax
	addb $'0', %al
	call putc
	loop 2b
	popal
	ret

s_banner:	.asciz "\r\ng_console: Keel test guest on COM1\r\n"
s_cmdline:	.asciz "g_console: cmdline: "
s_memory:	.asciz "g_console: memory "
s_mib:		.asciz " MiB, vCPUs "
s_vcpus:	.asciz "\r\n"
s_initrd:	.asciz "g_console: initrd "
s_bytes:	.asciz " bytes: \""
s_nobi:		.asciz "g_console: no boot-info block at 0x5000\r\n"
s_prompt:	.asciz "g_console: type a line, it comes back in capitals\r\n"
s_beat:		.asciz "g_console: heartbeat "
s_crash:	.asciz "g_console: crashing on request\r\n"
	.balign 8
idt_empty:	.word 0
		.long 0
