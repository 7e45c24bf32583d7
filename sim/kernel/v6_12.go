package kernel

// V6_12 (K6.12 as Debian 6.12.y builds it): LPA2 (52-bit VA with 4K/16K
// pages, folded at run time on CPUs without it); the image is mapped by
// early code before paging_init, so map_mem's tables are the first
// allocated; modules take 2G; the alias starts at _text (Debian's stable
// backport); loop ranges are rounded inward to pages (backport of
// 7ace06a01efa); crashkernel= no longer touches map_mem (the crash kernel
// is reserved after it); rodata= takes exactly "full", "on" or "off".
var V6_12 = V6_1.with(func(m *Modern) {
	m.ModulesSize = 2 << 30
	m.ReserveStext = false
	m.MapKernel = false
	m.AliasFromText = true
	m.RoundInward = true
	m.Crash = crashNone
	m.Parse.Rodata = RodataFullOnOff
})
