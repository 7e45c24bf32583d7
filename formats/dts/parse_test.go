package dts

import (
	"os"
	"strings"
	"testing"

	"linmap/sim/layout"
)

type bank struct {
	base, size layout.Addr
	nid        int
	hotplug    bool
}

type rsv struct {
	base, size      layout.Addr
	name            string
	noMap, reusable bool
}

func banks(l *layout.Layout) []bank {
	var out []bank
	for _, m := range l.Memory {
		out = append(out, bank{m.Base, m.Size, m.NID, m.Hotplug})
	}
	return out
}

func rsvs(l *layout.Layout) []rsv {
	var out []rsv
	for _, r := range l.Reserved {
		out = append(out, rsv{r.Base, r.Size, r.Name, r.NoMap, r.Reusable})
	}
	return out
}

func eqSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestImportFiles(t *testing.T) {
	tests := []struct {
		file     string
		name     string
		memory   []bank
		reserved []rsv
		note     string
	}{
		{"fvp-base-revc.dts", "FVP Base RevC",
			[]bank{{0x80000000, 0x80000000, 0, false}, {0x880000000, 0x80000000, 0, false}},
			[]rsv{{0x18000000, 0x800000, "vram@18000000", true, false}, {0x80000000, 0x10000, "memreserve", false, false}},
			"#include <dt-bindings/interrupt-controller/arm-gic.h> was not read"},
		{"hi6220-hikey.dts", "HiKey Development Board",
			[]bank{{0, 0x5e00000, 0, false}, {0x5f00000, 0xeff000, 0, false}, {0x6e00000, 0x60f000, 0, false}, {0x7410000, 0x36bf0000, 0, false}},
			nil, "2 and 2 assumed"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Import(tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if l.Name != tt.name {
				t.Errorf("name = %q, want %q", l.Name, tt.name)
			}
			if got := banks(l); !eqSlices(got, tt.memory) {
				t.Errorf("memory = %+v, want %+v", got, tt.memory)
			}
			if got := rsvs(l); !eqSlices(got, tt.reserved) {
				t.Errorf("reserved = %+v, want %+v", got, tt.reserved)
			}
			if !strings.Contains(l.Description, tt.note) {
				t.Errorf("description %q lacks %q", l.Description, tt.note)
			}
			if l.Image.Base == 0 || !l.InMemory(l.Image.Base) {
				t.Errorf("image.base = %s: not placed in memory", l.Image.Base)
			}
		})
	}
}

func TestImportInline(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		memory   []bank
		reserved []rsv
		cmdline  string
		initrd   *layout.Blob
		seed     layout.Addr
	}{
		{"kernel default cells are 1 and 1", `/dts-v1/; / { memory { device_type = "memory"; reg = <0x40000000 0x20000000 0x80000000 0x1000000>; }; };`,
			[]bank{{0x40000000, 0x20000000, 0, false}, {0x80000000, 0x1000000, 0, false}}, nil, "", nil, 0},
		{"numa, hotplug, disabled and a memory node without device_type", `/dts-v1/;
/ {
	#address-cells = <2>; #size-cells = <2>;
	memory@0 { device_type = "memory"; reg = <0 0 0 0x80000000>; numa-node-id = <0>; };
	memory@10000000000 { device_type = "memory"; reg = <0x100 0 0 0x80000000>; numa-node-id = <1>; hotpluggable; };
	memory@20000000000 { device_type = "memory"; reg = <0x200 0 0 0x80000000>; status = "disabled"; };
	memory@30000000000 { reg = <0x300 0 0 0x80000000>; };
};`,
			[]bank{{0, 0x80000000, 0, false}, {0x10000000000, 0x80000000, 1, true}}, nil, "", nil, 0},
		{"reserved-memory with its own cells, no-map, reusable and a dynamic pool", `/dts-v1/;
/memreserve/ 0x40000000 0x1000;
/ {
	#address-cells = <2>; #size-cells = <2>;
	memory@40000000 { device_type = "memory"; reg = <0 0x40000000 1 0>; };
	reserved-memory {
		#address-cells = <1>; #size-cells = <1>; ranges;
		secmon@5000000 { reg = <0x45000000 0x300000>; no-map; };
		linux,cma { compatible = "shared-dma-pool"; reusable; size = <0x10000000>; linux,cma-default; };
		pool@48000000 { reg = <0x48000000 0x400000>; reusable; };
	};
};`,
			[]bank{{0x40000000, 0x100000000, 0, false}},
			[]rsv{{0x40000000, 0x1000, "memreserve", false, false}, {0x45000000, 0x300000, "secmon@5000000", true, false}, {0x48000000, 0x400000, "pool@48000000", false, true}},
			"", nil, 0},
		{"chosen: bootargs, one-cell initrd, kaslr-seed", `/dts-v1/;
/ {
	#address-cells = <2>; #size-cells = <2>;
	chosen {
		bootargs = "console=ttyAMA0 mem=768M \"quoted\"";
		linux,initrd-start = <0x48000000>;
		linux,initrd-end = <0x480f0000>;
		kaslr-seed = <0xfeedbeef 0xc0def00d>;
	};
	memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
};`,
			[]bank{{0x40000000, 0x40000000, 0, false}}, nil, `console=ttyAMA0 mem=768M "quoted"`, &layout.Blob{Base: 0x48000000, Size: 0xf0000}, 0xfeedbeefc0def00d},
		{"defines, expressions, labels, &label, /delete-node/, /bits/ 64", `/dts-v1/;
#define DRAM_BASE 0x80000000
#define SZ_1G (1 << 30)
/ {
	#address-cells = <2>; #size-cells = <2>;
	mem0: memory@80000000 { device_type = "memory"; reg = <0 DRAM_BASE 0 (2 * SZ_1G - 0x1000000)>; };
	gone: memory@c0000000 { device_type = "memory"; reg = <0 0xc0000000 0 0x1000>; };
	memory@880000000 { device_type = "memory"; reg = /bits/ 64 <0x880000000 0x180000000>; };
	chosen { linux,initrd-start = /bits/ 64 <0x84000000>; linux,initrd-end = /bits/ 64 <0x84100000>; };
};
/delete-node/ &gone;
&mem0 { numa-node-id = <((3 - 1) / 2)>; };
/ { chosen { bootargs = "root=/dev/vda"; }; };`,
			[]bank{{0x80000000, 0x7f000000, 1, false}, {0x880000000, 0x180000000, 0, false}}, nil, "root=/dev/vda", &layout.Blob{Base: 0x84000000, Size: 0x100000}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Import("", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := banks(l); !eqSlices(got, tt.memory) {
				t.Errorf("memory = %+v, want %+v", got, tt.memory)
			}
			if got := rsvs(l); !eqSlices(got, tt.reserved) {
				t.Errorf("reserved = %+v, want %+v", got, tt.reserved)
			}
			if l.Kernel.Cmdline != tt.cmdline {
				t.Errorf("cmdline = %q, want %q", l.Kernel.Cmdline, tt.cmdline)
			}
			if (l.Initrd == nil) != (tt.initrd == nil) || l.Initrd != nil && (l.Initrd.Base != tt.initrd.Base || l.Initrd.Size != tt.initrd.Size) {
				t.Errorf("initrd = %+v, want %+v", l.Initrd, tt.initrd)
			}
			if l.Kernel.KASLRSeed != tt.seed {
				t.Errorf("kaslr_seed = %s, want %s", l.Kernel.KASLRSeed, tt.seed)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unclosed node", "/dts-v1/;\n/ {\n\tmemory@0 {\n\t\tdevice_type = \"memory\";\n", `line 5: node "memory@0" opened at line 3 is never closed`},
		{"missing semicolon", "/dts-v1/;\n/ {\n\tmodel = \"x\"\n};\n", `line 4: expected ";" after property "model"`},
		{"reg not a multiple", "/dts-v1/;\n/ {\n\t#address-cells = <2>; #size-cells = <2>;\n\tmemory@0 {\n\t\tdevice_type = \"memory\";\n\t\treg = <0 0 0x1000>;\n\t};\n};\n",
			"line 6: /memory@0 reg: 3 cells is not a multiple of #address-cells + #size-cells = 4"},
		{"macro in reg", "/dts-v1/;\n/ {\n\tmemory@0 {\n\t\tdevice_type = \"memory\";\n\t\treg = <0 DRAM_SIZE>;\n\t};\n};\n",
			"line 5: /memory@0 reg: DRAM_SIZE is a macro from an ignored #include"},
		{"exponential defines", "#define A (B+B)\n#define B (C+C)\n#define C (D+D)\n#define D (E+E)\n#define E (F+F)\n#define F (G+G)\n#define G (H+H)\n#define H (I+I)\n#define I (J+J)\n#define J (K+K)\n#define K (L+L)\n#define L (M+M)\n#define M (N+N)\n#define N (O+O)\n#define O 1\n/ { x = <A>; };\n",
			"line 16: more than 10000 #define expansions"},
		{"no memory", "/dts-v1/;\n/ { };\n", "no memory node"},
		{"unclosed comment", "/dts-v1/;\n/* never\n closed", "line 2: comment opened here is never closed"},
		{"garbage", "hello world", `line 1: expected /dts-v1/, /memreserve/, a root node "/ {" or a "&label {" node, found "hello world"`},
		{"initrd end below start", "/ { memory { device_type = \"memory\"; reg = <0x40000000 0x1000000>; }; chosen { linux,initrd-start = <0x2000>; linux,initrd-end = <0x1000>; }; };",
			"line 1: /chosen linux,initrd-end: linux,initrd-end 0x1000 is below linux,initrd-start 0x2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import("", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestRoundTrip: importing an export gives back the same machine.
func TestRoundTrip(t *testing.T) {
	seed := layout.Addr(0x0123456789abcdef)
	in := &layout.Layout{
		Name:   `Board "x" \ y`,
		Kernel: layout.Kernel{Era: "v6.1", Cmdline: "console=ttyS0 crashkernel=256M", KASLRSeed: seed},
		Memory: []layout.Bank{
			{Base: 0x0, Size: 0x5e00000},
			{Base: 0x5f02000, Size: 0xefd000, NID: 0},
			{Base: 0x800000000, Size: 0x200000000, NID: 1, Hotplug: true},
			{Base: 0x4000_0000_0000, Size: 0x40_0000_0000, NID: 2},
		},
		Reserved: []layout.Reserved{
			{Base: 0x0, Size: 0x1000000, Name: "hwrom@0", NoMap: true},
			{Base: 0x5000000, Size: 0x300000, Name: "secmon", NoMap: true},
			{Base: 0x5000000, Size: 0x300000, Name: "secmon"},
			{Base: 0x10000000, Size: 0x10000000, Name: "linux,cma", Reusable: true},
			{Base: 0x20000000, Size: 0x1000, Name: "weird name/with*chars"},
			{Base: 0x30000000, Size: 0x100000, Name: "two-regs@30000000", NoMap: true},
			{Base: 0x38000000, Size: 0x200000, Name: "two-regs@30000000", NoMap: true, RegIndex: 1},
		},
		Image:  layout.Image{Base: 0x1080000},
		Initrd: &layout.Blob{Base: 0x4000000, Size: 0xf141e},
	}
	out, err := Import("", Export(in))
	if err != nil {
		t.Fatalf("%v\n%s", err, Export(in))
	}
	if !eqSlices(banks(out), banks(in)) {
		t.Errorf("memory = %+v, want %+v", banks(out), banks(in))
	}
	var want []rsv
	for _, r := range in.Reserved {
		want = append(want, rsv{r.Base, r.Size, "", r.NoMap, r.Reusable})
	}
	got := rsvs(out)
	for i := range got {
		got[i].name = ""
	}
	if !eqSlices(got, want) {
		t.Errorf("reserved = %+v, want %+v", got, want)
	}
	// A node's two <base size> pairs stay one node: same name, reg_index 0 and 1.
	if n := len(out.Reserved); n < 2 || out.Reserved[n-2].Name != out.Reserved[n-1].Name || out.Reserved[n-2].RegIndex != 0 || out.Reserved[n-1].RegIndex != 1 {
		t.Errorf("two-reg node imported as %+v", out.Reserved)
	}
	if out.Name != in.Name || out.Kernel.Cmdline != in.Kernel.Cmdline || out.Kernel.KASLRSeed != seed || out.Initrd.Base != in.Initrd.Base || out.Initrd.Size != in.Initrd.Size {
		t.Errorf("name/chosen differ: got %q %q %s %+v", out.Name, out.Kernel.Cmdline, out.Kernel.KASLRSeed, out.Initrd)
	}
	// Export is a fixed point after one round.
	if a, b := string(Export(out)), string(Export(in)); strings.Join(strings.Split(a, "\n")[5:], "\n") != strings.Join(strings.Split(b, "\n")[5:], "\n") {
		t.Errorf("export(import(export(x))) differs from export(x):\n%s\n---\n%s", a, b)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"fvp-base-revc.dts", "hi6220-hikey.dts"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`/dts-v1/; /memreserve/ 1 2; / { a: n@1 { p = <(1 ? 2 : 3)>, "s\x41\101", [00 ff]; q = &a, &{/n@1}; }; }; &a { /delete-property/ p; };`))
	f.Add([]byte("#define A (B)\n#define B A\n/ { memory { device_type = \"memory\"; reg = <A 1>; }; };"))
	f.Add([]byte("/ { x = <((((((((((1))))))))))>; y = <'a' '\\n'>; z = /bits/ 8 <1 2>; };"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Import("fuzz", data)
		if err == nil {
			if err := l.Check(); err != nil {
				t.Fatalf("Import returned a layout that fails Check: %v", err)
			}
		}
	})
}
