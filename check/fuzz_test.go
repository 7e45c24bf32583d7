package check

import (
	"os"
	"testing"

	"linmap/formats"
)

// FuzzRun: whatever is pasted, a check either refuses the input with an
// error or reports, and its summary counts its facts.
func FuzzRun(f *testing.F) {
	for _, name := range []string{"ampereone-vm-6.16-bbml2-ptdump-mailquoted.txt", "juno-r2-4.14.154rc1-48bit-vmlayout-panic-mail-qp.txt", "qemu-virt-5.12rc8-iomem-nomap-vs-map.txt", "thunderx-cn88xx-4.8-64k-efi-memblock.txt"} {
		data, err := os.ReadFile("../formats/testdata/real/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(juno414))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Run([]formats.Input{{Name: "fuzz", Data: data}}, Options{})
		if err != nil {
			return
		}
		if n := rep.Summary.Agrees + rep.Summary.Differs + rep.Summary.Unchecked; n != len(rep.Facts) {
			t.Fatalf("summary counts %d of %d facts", n, len(rep.Facts))
		}
		if (rep.Result == nil) != (rep.Problem != "") {
			t.Fatalf("result %v with problem %q", rep.Result != nil, rep.Problem)
		}
	})
}
