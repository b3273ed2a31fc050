package perf

import (
	"bytes"
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"
)

func names(scs []*Scenario) []string {
	var n []string
	for _, s := range scs {
		n = append(n, s.Name)
	}
	return n
}

func TestSelectScenarios(t *testing.T) {
	all := ScenarioNames()
	want := []string{"pub", "pubsub", "fanout", "nm", "queue", "reqrep", "latency", "idle", "tls", "raw", "multisubj"}
	extra := []string{"churn", "churn-same", "churn-subs", "churn-same-subs"}
	if !reflect.DeepEqual(all, append(append([]string{}, want...), extra...)) {
		t.Fatalf("scenarios %v", all)
	}
	tests := []struct {
		in   []string
		want []string
	}{
		{nil, want},
		{[]string{"all"}, all},
		{[]string{"default"}, want},
		{[]string{"tls,pub"}, []string{"pub", "tls"}}, // report order, not argument order
		{[]string{" Queue , queue", "idle"}, []string{"queue", "idle"}},
		{[]string{"churn-same,raw"}, []string{"raw", "churn-same"}}, // extras run when named
	}
	for _, tt := range tests {
		got, err := SelectScenarios(tt.in)
		if err != nil {
			t.Fatalf("%v: %v", tt.in, err)
		}
		if !reflect.DeepEqual(names(got), tt.want) {
			t.Errorf("SelectScenarios(%v) = %v, want %v", tt.in, names(got), tt.want)
		}
	}
	if _, err := SelectScenarios([]string{"pub,nope"}); err == nil || !strings.HasPrefix(err.Error(), "perf: unknown scenario \"nope\"") {
		t.Fatalf("unknown scenario: %v", err)
	}
}

func TestScenariosAreComplete(t *testing.T) {
	for _, s := range Scenarios() {
		if s.run == nil || s.Title == "" || len(s.Metrics) == 0 {
			t.Errorf("%s incomplete", s.Name)
		}
		if s.Sized && (len(s.DefaultSizes) == 0 || len(s.QuickSizes) == 0) {
			t.Errorf("%s: sized without default sizes", s.Name)
		}
		primaries := 0
		for _, m := range s.Metrics {
			if m.Primary {
				primaries++
			}
		}
		if primaries != 1 {
			t.Errorf("%s: %d primary metrics", s.Name, primaries)
		}
	}
}

func TestParseSizes(t *testing.T) {
	got, err := ParseSizes("16KB, 128,1K,16,1k,1MiB,0")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 16, 128, 1024, 16 << 10, 1 << 20}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	for _, bad := range []string{"x", "-1", "2M", "1.5K"} {
		if _, err := ParseSizes(bad); err == nil {
			t.Errorf("ParseSizes(%q) accepted", bad)
		}
	}
	for n, want := range map[int]string{16: "16B", 1024: "1K", 16384: "16K", 1 << 20: "1M", 1000: "1000B"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q", n, got)
		}
	}
}

func TestPlanCases(t *testing.T) {
	scs, _ := SelectScenarios([]string{"pub,idle,tls"})
	cases := planCases(scs, Config{}.withDefaults())
	var got []string
	for _, c := range cases {
		got = append(got, c.Scenario.Name+" "+sizeLabel(c.Size))
	}
	want := []string{"pub 16B", "pub 128B", "pub 1K", "pub 16K", "idle -", "tls 1K"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default plan %v", got)
	}
	got = nil
	for _, c := range planCases(scs, Config{Quick: true}.withDefaults()) {
		got = append(got, c.Scenario.Name+" "+sizeLabel(c.Size))
	}
	if want := []string{"pub 16B", "idle -", "tls 128B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("quick plan %v", got)
	}
	got = nil
	for _, c := range planCases(scs, Config{Sizes: []int{64}}.withDefaults()) {
		got = append(got, c.Scenario.Name+" "+sizeLabel(c.Size))
	}
	if want := []string{"pub 64B", "idle -", "tls 64B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("--sizes plan %v", got)
	}
}

func TestParseFlags(t *testing.T) {
	var out bytes.Buffer
	cli, err := ParseFlags([]string{
		"--natsloop", "/x/a", "--reference=/x/b", "--label-a", "new", "--label-b", "old",
		"--scenarios", "pubsub,latency", "--sizes", "16,1K", "--rounds", "5",
		"--duration", "3s", "--warmup", "1s", "--fanout", "8", "--rate", "1000",
		"--csv", "r.csv", "--json", "r.json", "--html", "r.html",
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	c := cli.Config
	if c.Natsloop != "/x/a" || c.Reference != "/x/b" || c.LabelA != "new" || c.LabelB != "old" ||
		c.Rounds != 5 || c.Duration != 3*time.Second || c.Warmup != time.Second || c.Fanout != 8 || c.Rate != 1000 ||
		!reflect.DeepEqual(c.Sizes, []int{16, 1024}) || !reflect.DeepEqual(c.Scenarios, []string{"pubsub,latency"}) ||
		cli.CSV != "r.csv" || cli.JSON != "r.json" || cli.HTML != "r.html" {
		t.Fatalf("parsed %+v", cli)
	}

	cli, err = ParseFlags(nil, &out)
	if err != nil {
		t.Fatal(err)
	}
	d := cli.Config.withDefaults()
	if d.Rounds != 3 || d.Duration != 2*time.Second || d.Warmup != 300*time.Millisecond || d.Conns != 10000 || len(d.Scenarios) != 0 {
		t.Fatalf("defaults %+v", d)
	}
	cli, _ = ParseFlags([]string{"--quick"}, &out)
	if q := cli.Config.withDefaults(); q.Duration != 250*time.Millisecond || q.Conns != 2000 || q.Rounds != 3 {
		t.Fatalf("quick %+v", q)
	}
	cli, _ = ParseFlags([]string{"--quick", "--duration", "1s", "--conns", "50"}, &out)
	if q := cli.Config.withDefaults(); q.Duration != time.Second || q.Conns != 50 {
		t.Fatalf("explicit over quick %+v", q)
	}

	for _, bad := range [][]string{
		{"--scenarios", "bogus"}, {"--sizes", "huge"}, {"--rounds", "0"}, {"--duration", "-1s"},
		{"--nope"}, {"extra-arg"}, {"--rate", "99999999"},
	} {
		if _, err := ParseFlags(bad, &out); err == nil || !strings.HasPrefix(err.Error(), "perf: ") {
			t.Errorf("ParseFlags(%v) err = %v", bad, err)
		}
	}
	out.Reset()
	if _, err := ParseFlags([]string{"-h"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, want := range []string{"Usage: natsloop-perf", "-reference", "Scenarios:", "multisubj"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}
