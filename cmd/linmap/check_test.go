package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"linmap/check"
)

func TestCmdCheck(t *testing.T) {
	iomem := "40000000-7fffffff : System RAM\n  40210000-417fffff : Kernel code\n  41800000-41daffff : reserved\n  41db0000-4210ffff : Kernel data\n80000000-800fffff : reserved\n80100000-13fffffff : System RAM\n"
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string
	}{
		{"text", []string{"-"}, iomem, 0, "agrees     /proc/iomem System RAM", ""},
		{"json", []string{"-format", "json", "-"}, iomem, 0, `"verdict": "agrees"`, ""},
		{"era override", []string{"-era", "v6.1", "-"}, iomem, 0, "model: era v6.1", ""},
		{"no memory is a report", []string{"-"}, "[    0.000000] Linux version 6.1.0\n", 0, "model: none (no input gives the memory", ""},
		{"bad input", []string{"-"}, "---[ Linear Mapping start ]---\n0xffff000000200000-0xffff000000000000  2M PMD RW\n", 2, "", "linmap check: standard input: line 2:"},
		{"unrecognised", []string{"-"}, "hello", 2, "", "unrecognised input"},
		{"bad format", []string{"-format", "yaml", "-"}, iomem, 2, "", `-format "yaml"`},
		{"no file", nil, "", 2, "", "expected one or more FILEs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := cmdCheck(tt.args, strings.NewReader(tt.stdin), &out, &errb)
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout %s\nstderr %s", code, tt.code, out.String(), errb.String())
			}
			if code == 2 && tt.stdin != "" && strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("bad input gives %q, not one line", errb.String())
			}
		})
	}
	var out, errb bytes.Buffer
	if code := cmdCheck([]string{"-format", "json", "-"}, strings.NewReader(iomem), &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	var rep check.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Summary.Agrees == 0 || rep.Layout == nil {
		t.Errorf("JSON report: %v %+v", err, rep.Summary)
	}
}
