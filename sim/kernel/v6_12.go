package kernel

// v6.12 (K6.12, Debian 6.12 config): LPA2 (52-bit VA with 4K/16K pages,
// folded at run time on CPUs without it); the image is mapped by early
// code before paging_init, so map_mem's tables are the first allocated;
// modules take 2G; the alias starts at _text again; crashkernel= no longer
// touches map_mem (the crash kernel is reserved after it).
var v6_12 = v6_1.with(func(m *Modern) {
	m.ModulesSize = 2 << 30
	m.ReserveStext = false
	m.MapKernel = false
	m.AliasFromText = true
	m.Crash = crashNone
})

// v6.12 image offsets are Debian 6.12's (4K); 16K and 64K builds have a
// larger __init_begin and _end (see defaultsFor).
var v6_12Defaults = Defaults{Stext: 0x10000, Etext: 0xf50000, InitBegin: 0x1d00000, End: 0x2b30000,
	KFENCE: true, Randomize: true, RodataFullDefault: true, HasRodataFull: true, HasDebugPagealloc: true}
