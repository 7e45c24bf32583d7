package sim

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"linmap/sim/kernel"
	"linmap/sim/layout"
	"linmap/sim/result"
)

// checkInvariants verifies what must hold for any result:
// VA = PA − PHYS_OFFSET + PAGE_OFFSET for every run; leaves and contiguous
// groups aligned in VA and PA; no overlaps; every byte of declared memory
// mapped or lost (never both) with a real reason; and, for eras that build
// fresh tables, exactly the table pages the leaves need.
func checkInvariants(l *layout.Layout, r *result.Result) error {
	page := map[string]uint64{"4K": 4 << 10, "16K": 16 << 10, "64K": 64 << 10}[r.PageSize]
	ms := append([]result.Mapping(nil), r.Mappings...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].VA < ms[j].VA })
	for i, m := range ms {
		va, pa, size := uint64(m.VA), uint64(m.PA), uint64(m.Size)
		if want := pa - uint64(r.PhysOffset) + uint64(r.PageOffset); va != want {
			return fmt.Errorf("run %d %+v: VA %#x, want PA − PHYS_OFFSET + PAGE_OFFSET = %#x", i, m, va, want)
		}
		// Inside the linear region [linear_start, linear_end); 0 is 2^64.
		if va < uint64(r.LinearStart) || (r.LinearEnd != 0 && va+size-1 > uint64(r.LinearEnd)-1) || va+size-1 < va {
			return fmt.Errorf("run %d %+v: VA [%#x, %#x) outside the linear region [%s, %s)", i, m, va, va+size, r.LinearStart, r.LinearEnd)
		}
		if uint64(m.LeafBytes) != pageBytes(m.Page) || m.Purpose == "" {
			return fmt.Errorf("run %d %+v: leaf_bytes %s does not match page %s, or no purpose", i, m, m.LeafBytes, m.Page)
		}
		if m.Why == "" {
			return fmt.Errorf("run %+v does not say why its leaves are %s", m, m.Page)
		}
		leaf := pageBytes(m.Page)
		if leaf < page || va%leaf != 0 || pa%leaf != 0 || size%leaf != 0 || size == 0 {
			return fmt.Errorf("run %+v: not aligned to its %s leaves", m, m.Page)
		}
		if m.Cont {
			span := contSpan(r.PageSize, m.Level)
			if span == 0 || va%span != 0 || pa%span != 0 || size%span != 0 {
				return fmt.Errorf("run %+v: contiguous run not made of whole aligned groups (span %#x)", m, span)
			}
		}
		if i > 0 && uint64(ms[i-1].VA+ms[i-1].Size) > va {
			return fmt.Errorf("runs overlap in VA: %+v and %+v", ms[i-1], m)
		}
	}
	// PA overlaps
	byPA := append([]result.Mapping(nil), ms...)
	sort.Slice(byPA, func(i, j int) bool { return byPA[i].PA < byPA[j].PA })
	for i := 1; i < len(byPA); i++ {
		if byPA[i-1].PA+byPA[i-1].Size > byPA[i].PA {
			return fmt.Errorf("runs overlap in PA: %+v and %+v", byPA[i-1], byPA[i])
		}
	}
	// Accounting: declared memory = mapped ∪ lost, disjoint.
	var cover [][3]uint64 // lo, hi, kind (0 mapped, 1 lost)
	for _, m := range byPA {
		cover = append(cover, [3]uint64{uint64(m.PA), uint64(m.PA + m.Size), 0})
	}
	for _, x := range r.Lost {
		if x.Reason == "" || x.Detail == "" {
			return fmt.Errorf("lost range without a reason: %+v", x)
		}
		if x.Reason == result.ReasonNotReached && r.Fatal == nil {
			return fmt.Errorf("memory %s+%s unmapped without a reason while boot succeeded: %s", x.Base, x.Size, x.Detail)
		}
		cover = append(cover, [3]uint64{uint64(x.Base), uint64(x.Base + x.Size), 1})
	}
	sort.Slice(cover, func(i, j int) bool { return cover[i][0] < cover[j][0] })
	for _, b := range l.Memory {
		lo, hi := uint64(b.Base), uint64(b.End())
		cur := lo
		for _, c := range cover {
			if c[1] <= lo || c[0] >= hi {
				continue
			}
			if c[0] > cur {
				return fmt.Errorf("memory [%#x-%#x) of bank %s is neither mapped nor lost", cur, c[0], b.Base)
			}
			if c[0] < cur && cur > lo {
				return fmt.Errorf("memory [%#x-%#x) is counted twice (mapped and lost, or lost twice)", c[0], min(cur, c[1]))
			}
			cur = max(cur, c[1])
		}
		if cur < hi {
			return fmt.Errorf("memory [%#x-%#x) of bank %s is neither mapped nor lost", cur, hi, b.Base)
		}
	}
	if e, _ := LookupEra(r.Era); !editsLiveTables(e) && r.Fatal == nil {
		return checkTableCounts(r)
	}
	return nil
}

// editsLiveTables: the era edits head.S's tables in place (v3.18 and the
// RFC), so its table pages are not one per parent entry of the leaves.
func editsLiveTables(e *Era) bool {
	_, classic := e.Policy.(kernel.Classic)
	return classic
}

// checkTableCounts: with fresh tables (v4.6+), the linear map's table pages
// per level are exactly the distinct parent entries its leaves sit under.
func checkTableCounts(r *result.Result) error {
	shift := map[string]int{"4K": 12, "16K": 14, "64K": 16}[r.PageSize]
	lvlShift := func(l int) int { return (shift-3)*(4-l) + 3 }
	lvlNum := map[string]int{"PTE": 3, "PMD": 2, "PUD": 1, "P4D": 0}
	top := 4 - r.Levels
	base := -(uint64(1) << r.VABitsActual)
	got := map[int]int64{}
	for _, tb := range r.Tables {
		if strings.HasPrefix(tb.Cause, "map_kernel") || strings.HasPrefix(tb.Cause, "temporary PGD") {
			continue
		}
		if tb.Level == "PGD" {
			got[top] += tb.Count
		} else {
			got[lvlNum[tb.Level]] += tb.Count
		}
	}
	for l := top + 1; l <= 3; l++ {
		s := uint64(1) << lvlShift(l-1)
		var spans [][2]uint64
		for _, m := range r.Mappings {
			if lvlNum[m.Level] < l {
				continue
			}
			a := uint64(m.VA) - base
			e := a + uint64(m.Size)
			spans = append(spans, [2]uint64{a / s, (e + s - 1) / s})
		}
		sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
		var n, cur uint64
		for _, sp := range spans {
			lo := max(sp[0], cur)
			if sp[1] > lo {
				n += sp[1] - lo
			}
			cur = max(cur, sp[1])
		}
		if int64(n) != got[l] {
			return fmt.Errorf("level %d: %d table pages allocated, the leaves need %d (tables %+v)", l, got[l], n, r.Tables)
		}
	}
	return nil
}

func contSpan(pageSize, level string) uint64 {
	p := pageBytes(pageSize)
	switch {
	case level == "PTE" && pageSize == "4K":
		return 16 * p
	case level == "PTE" && pageSize == "16K":
		return 128 * p
	case level == "PTE":
		return 32 * p
	case level == "PMD" && pageSize == "4K":
		return 16 << 21
	case level == "PMD" && pageSize == "16K":
		return 32 << 25
	case level == "PMD":
		return 32 << 29
	}
	return 0
}

var cmdlines = []string{"", "rodata=on", "rodata=off", "rodata=full", "rodata=noalias", "mem=768M", "mem=3G rodata=on",
	"crashkernel=256M", "crashkernel=128M rodata=on", "kfence.sample_interval=100 rodata=on", "kfence.sample_interval=0",
	"debug_pagealloc=on", "nokaslr rodata=on", "movable_node rodata=on"}

// geometry is one page size / VA_BITS pair an era's Kconfig allows.
type geometry struct {
	era    *Era
	page   string
	vaBits int
}

// allGeometries lists every page size / VA_BITS pair of every era.
func allGeometries() []geometry {
	var out []geometry
	for _, e := range Eras() {
		var sizes []string
		for k := range e.Kconfig.VABits {
			sizes = append(sizes, k)
		}
		sort.Strings(sizes)
		for _, ps := range sizes {
			for _, va := range e.Kconfig.VABits[ps] {
				out = append(out, geometry{e, ps, va})
			}
		}
	}
	return out
}

// randomLayout builds a plausible machine for g: 1–6 banks above 1 GiB,
// some unaligned, optional no-map carve-outs (some byte-granular, some
// nodes with several reg pairs), the image in the first bank.
func randomLayout(rng *rand.Rand, g geometry) *layout.Layout {
	e, ps := g.era, g.page
	l := &layout.Layout{Kernel: layout.Kernel{Era: e.ID, PageSize: ps, VABits: g.vaBits, Cmdline: cmdlines[rng.Intn(len(cmdlines))]}}
	if rng.Intn(3) == 0 {
		l.Kernel.KASLRSeed = layout.Addr(rng.Uint64())
	}
	l.CPU = layout.CPU{LPA2: rng.Intn(2) == 0, VA52: rng.Intn(2) == 0, BBML2NoAbort: rng.Intn(2) == 0, Realm: rng.Intn(4) == 0,
		PABits: []int{0, 40, 44, 48, 52}[rng.Intn(5)]}
	grains := []uint64{1 << 16, 1 << 20, 2 << 20, 32 << 20, 1 << 30}
	cur := uint64(0x40000000)
	if rng.Intn(4) == 0 {
		cur = uint64(rng.Intn(64)) << 30
	}
	n := 1 + rng.Intn(6)
	for i := 0; i < n; i++ {
		g := grains[rng.Intn(len(grains))]
		size := (1 + uint64(rng.Intn(64))) * g
		if i == 0 {
			size = max(size, 64<<20)
		}
		l.Memory = append(l.Memory, layout.Bank{Base: layout.Addr(cur), Size: layout.Addr(size), NID: rng.Intn(2)})
		cur += size + uint64(rng.Intn(3))*grains[rng.Intn(len(grains))]
		if rng.Intn(8) == 0 {
			cur += uint64(rng.Intn(1<<12)) << 30 // far away
		}
	}
	first := l.Memory[0]
	to := layout.Addr(e.Builds.For(ps).TextOffset)
	l.Image = layout.Image{Base: ((first.Base + 2<<20 - 1) &^ (2<<20 - 1)) + to, TextOffset: &to, End: 0x1000000}
	if rng.Intn(2) == 0 {
		// Sections anywhere in 64K steps, in order (v7.2 maps some first).
		var offs [5]layout.Addr
		for i := range offs {
			offs[i] = layout.Addr(rng.Intn(256)) << 16
		}
		sort.Slice(offs[:], func(i, j int) bool { return offs[i] < offs[j] })
		l.Image.Stext, l.Image.Etext, l.Image.InitBegin, l.Image.InitEnd, l.Image.BssStop = offs[0], offs[1], offs[2], offs[3], offs[4]
	}
	if l.Image.Base+0x1000000 > first.End() {
		l.Memory[0].Size = l.Image.Base + 0x1000000 - first.Base + 64<<20
	}
	if rng.Intn(2) == 0 {
		for i := 0; i < 1+rng.Intn(3); i++ {
			b := l.Memory[rng.Intn(len(l.Memory))]
			off := layout.Addr(rng.Int63n(int64(b.Size))) &^ 0xffff
			sz := layout.Addr(1+rng.Intn(64)) << 16
			if rng.Intn(4) == 0 {
				off, sz = off+layout.Addr(rng.Intn(0x1000)), sz-layout.Addr(rng.Intn(0x1000)) // byte-granular
			}
			r := layout.Reserved{Base: b.Base + off, Size: sz, NoMap: rng.Intn(2) == 0, Name: fmt.Sprintf("r%d", i)}
			l.Reserved = append(l.Reserved, r)
			if rng.Intn(3) == 0 && r.End()+0x200000 < b.End() {
				// A second <base size> pair of the same node.
				r.Base, r.RegIndex = r.End()+0x100000, 1
				l.Reserved = append(l.Reserved, r)
			}
		}
	}
	return l
}

// Every era, every page size / VA_BITS pair it allows, random layouts.
func TestInvariantsRandomLayouts(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	ran := map[string]int{}
	geoms := allGeometries()
	for i := 0; i < 40*len(geoms); i++ {
		l := randomLayout(rng, geoms[i%len(geoms)])
		r, err := Run(l)
		if err != nil {
			var fe *layout.FieldError
			if !asFieldErr(err, &fe) {
				t.Fatalf("case %d: error is not a FieldError: %v", i, err)
			}
			continue
		}
		ran[fmt.Sprintf("%s %s/%d", r.Era, r.PageSize, r.VABits)]++
		if err := checkInvariants(l, r); err != nil {
			b, _ := l.Marshal()
			t.Fatalf("case %d (%s): %v\nlayout: %s", i, r.Era, err, b)
		}
	}
	for _, g := range geoms {
		key := fmt.Sprintf("%s %s/%d", g.era.ID, g.page, g.vaBits)
		if ran[key] < 20 {
			t.Errorf("%s ran only %d random layouts", key, ran[key])
		}
	}
}

func asFieldErr(err error, out **layout.FieldError) bool {
	fe, ok := err.(*layout.FieldError)
	*out = fe
	return ok
}

// TestInvariantCheckerCatches makes sure the checker itself can fail.
func TestInvariantCheckerCatches(t *testing.T) {
	l := &layout.Layout{Kernel: layout.Kernel{Era: "v6.1", Cmdline: "rodata=on"},
		Memory: []layout.Bank{{Base: 0x40000000, Size: 0x80000000}}, Image: layout.Image{Base: 0x40200000}}
	corrupt := map[string]func(r *result.Result){
		"VA off by a page":   func(r *result.Result) { r.Mappings[1].VA += 0x1000 },
		"misaligned block":   func(r *result.Result) { r.Mappings[0].PA += 0x1000; r.Mappings[0].VA += 0x1000 },
		"memory unaccounted": func(r *result.Result) { r.Mappings = r.Mappings[:len(r.Mappings)-1] },
		"extra table":        func(r *result.Result) { r.Tables[len(r.Tables)-1].Count++ },
		"lost twice": func(r *result.Result) {
			r.Lost = append(r.Lost, result.Lost{Base: r.Mappings[0].PA, Size: 0x1000, Reason: "mem-limit", Detail: "x"})
		},
	}
	for name, f := range corrupt {
		r, err := Run(l)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkInvariants(l, r); err != nil {
			t.Fatalf("clean result fails: %v", err)
		}
		f(r)
		if checkInvariants(l, r) == nil {
			t.Errorf("%s: not detected", name)
		}
	}
}

func pageBytes(name string) uint64 {
	n, _ := layout.ParseAddr(name)
	return uint64(n)
}
