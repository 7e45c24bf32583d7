package logtext

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct {
		in, out string
		timed   bool
	}{
		{"[    0.000000] Machine model: linux,dummy-virt", "Machine model: linux,dummy-virt", true},
		{"[    0.000000][    T0]  memory[0x0]", " memory[0x0]", true},
		{"[\t0.000000][\tT0] Booting Linux", "Booting Linux", true},
		{"[    0.000000] [      T0] Linux version 6.17.4", "Linux version 6.17.4", true},
		{"[    1.510649][  C3] Freeing unused kernel memory: 6464K", "Freeing unused kernel memory: 6464K", true},
		{"<6>[    1.234567] efi: x", "efi: x", true},
		{"<6>Memory: 1K/2K available", "Memory: 1K/2K available", true},
		{"Nov 23 12:00:00 host kernel: [    0.000000] Booting Linux", "Booting Linux", true},
		{"Mär 22 07:00:53 mkurz-macbook-pro kernel: Machine model: Apple", "Machine model: Apple", true},
		{"2023-03-22T07:00:53+0100 host kernel: Zone ranges:", "Zone ranges:", true},
		{"[Fri Oct 16 12:43:58 2020] Booting Linux on physical CPU 0x0", "Booting Linux on physical CPU 0x0", true},
		{"kern  :info  : [    0.000000] Zone ranges:", "Zone ranges:", true},
		{"kern  :info  : Zone ranges:", "Zone ranges:", true},
		{"      [    0.000000]   node   0: [mem 0x0-0x1]", "  node   0: [mem 0x0-0x1]", true},
		{"TTY> FDT: DRAM at 0x800000000 size 0x200000000", "FDT: DRAM at 0x800000000 size 0x200000000", false},
		{"   0: 0x0000000040000000..0x000000007fffffff", "   0: 0x0000000040000000..0x000000007fffffff", false},
		{"  40210000-4185ffff : Kernel code", "  40210000-4185ffff : Kernel code", false},
		{"efi:   0x000040000000-0x00004fffffff [Conventional|   |WB]", "efi:   0x000040000000-0x00004fffffff [Conventional|   |WB]", false},
		{"0xffff000000000000-0xffff000000200000           2M PMD", "0xffff000000000000-0xffff000000200000           2M PMD", false},
	}
	for _, tt := range tests {
		got := Clean(tt.in)
		if got.Text != tt.out || got.Timed != tt.timed {
			t.Errorf("Clean(%q) = %q (timed %v), want %q (timed %v)", tt.in, got.Text, got.Timed, tt.out, tt.timed)
		}
	}
}

func texts(ls []Line) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Text)
	}
	return out
}

func TestMailQuoting(t *testing.T) {
	in := "> > [    0.000000] Zone ranges:\n>> [    0.000000]   DMA      [mem 0x0-0x1]\n> 40000000-5fffffff : System RAM\n>   40210000-4185ffff : Kernel code\n>\n"
	got := texts(Lines(in))
	want := []string{"Zone ranges:", "  DMA      [mem 0x0-0x1]", "40000000-5fffffff : System RAM", "  40210000-4185ffff : Kernel code", "", ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// A quoted-printable mail, quoted again and wrapped at 72 columns (the
// shape of the LKFT Juno report in testdata/real).
func TestQuotedPrintableAndWraps(t *testing.T) {
	in := `> > [    0.000000] Initmem setup node 0 [mem 0x0000000080000000-0x00000009f=
fffffff]
> > [    0.000000] percpu: Embedded 25 pages/cpu s62280 r8192 d31928 u10240=
0
> > [    0.000000] Kernel command line: console=3DttyAMA0,115200n8
> > root=3D/dev/nfs rw
> > [    0.000000] Memory: 8123672K/8372224K available (12988K kernel
> > code, 1878K rwdata, 5196K rodata, 1728K init, 12356K bss, 232168K
> > reserved, 16384K cma-reserved)
> > [    0.000000]     memory  : 0xffff800000000000 - 0xffff800980000000
> > ( 38912 MB)
`
	ls := Lines(in)
	want := []string{
		"Initmem setup node 0 [mem 0x0000000080000000-0x00000009ffffffff]",
		"percpu: Embedded 25 pages/cpu s62280 r8192 d31928 u102400",
		"Kernel command line: console=ttyAMA0,115200n8 root=/dev/nfs rw",
		"Memory: 8123672K/8372224K available (12988K kernel code, 1878K rwdata, 5196K rodata, 1728K init, 12356K bss, 232168K reserved, 16384K cma-reserved)",
		"    memory  : 0xffff800000000000 - 0xffff800980000000 ( 38912 MB)",
		"",
	}
	got := texts(ls)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ls[0].N != 1 || ls[1].N != 3 || ls[3].N != 7 {
		t.Errorf("line numbers %d %d %d, want 1 3 7", ls[0].N, ls[1].N, ls[3].N)
	}
}

// An unwrapped log never joins lines, even after a long kernel line.
func TestNoJoinWhenNotWrapped(t *testing.T) {
	in := "[    0.000000] Linux version 6.1.0-56-arm64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP\nroot@host:~# cat /proc/iomem\n40000000-5fffffff : System RAM\n"
	if got := texts(Lines(in)); len(got) != 4 {
		t.Errorf("got %q", got)
	}
}
