// Package assets holds the preset layouts shown in the app's gallery and
// offered by the CLI: real platforms (numbers cited in each file's
// source), the seed thread's three scenarios, and every real-kernel oracle
// case as a layout.
package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

//go:embed presets/*.json
var presetFS embed.FS

// Preset is one gallery entry.
type Preset struct {
	ID          string // file name without .json
	Name        string
	Description string
	Layout      []byte // layout format v1 JSON
}

// galleryOrder puts the simple machine first, then the seed thread, then
// real platforms from boards to servers. Files not listed (the oracle
// cases) follow in name order.
var galleryOrder = []string{
	"qemu-virt-1g",
	"seed-a-kernel-in-second-block",
	"seed-b-hypothesis2",
	"seed-c-unaligned-head",
	"qemu-virt-4g",
	"qemu-virt-numa",
	"qemu-sbsa-ref",
	"arm-juno-r2",
	"arm-fvp-base-revc",
	"hikey",
	"odroid-c2",
	"rockchip-rk3399",
	"rpi4-8gb",
	"rpi5-8gb",
	"nvidia-jetson-nano",
	"nxp-imx8mp-evk",
	"apple-m1-8gb",
	"ampere-altra-1s",
	"ampere-altra-2s",
	"kunpeng-920",
}

// Presets returns every preset in gallery order.
func Presets() []Preset {
	entries, err := presetFS.ReadDir("presets")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	rank := map[string]int{}
	for i, id := range galleryOrder {
		rank[id] = i
	}
	var out []Preset
	for _, e := range entries {
		data, err := presetFS.ReadFile(path.Join("presets", e.Name()))
		if err != nil {
			panic(err)
		}
		var head struct{ Name, Description string }
		if err := json.Unmarshal(data, &head); err != nil {
			panic(fmt.Sprintf("preset %s: %v", e.Name(), err)) // caught by the package tests
		}
		out = append(out, Preset{ID: strings.TrimSuffix(e.Name(), ".json"), Name: head.Name, Description: head.Description, Layout: data})
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, iok := rank[out[i].ID]
		rj, jok := rank[out[j].ID]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Lookup returns the preset with the given ID.
func Lookup(id string) (Preset, bool) {
	for _, p := range Presets() {
		if p.ID == id {
			return p, true
		}
	}
	return Preset{}, false
}
