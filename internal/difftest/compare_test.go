package difftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// infoFields are the INFO fields a client acts on; the rest (server_id,
// nonce, version, go, client_id, client_ip, host, port, connect_urls, ...)
// differ between any two servers.
var infoFields = []string{"auth_required", "headers", "max_payload", "proto", "tls_required", "tls_verify", "tls_available", "connect_info"}

// parseItems splits what a server sent into items: protocol lines, and
// for MSG/HMSG the line and then its payload. It returns the bytes of an
// item not yet complete.
func parseItems(b []byte) (items []string, rest []byte) {
	for len(b) > 0 {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			return items, b
		}
		line := string(b[:i])
		n := payloadSize(line)
		if n < 0 {
			items = append(items, normalizeLine(line))
			b = b[i+2:]
			continue
		}
		if len(b) < i+2+n+2 {
			return items, b
		}
		p := b[i+2 : i+2+n]
		items = append(items, msgItems(line, p)...)
		if end := b[i+2+n : i+2+n+2]; string(end) != "\r\n" {
			items = append(items, "<payload end "+quote(end)+">")
		}
		b = b[i+2+n+2:]
	}
	return sortFanout(items), nil
}

// sortFanout puts runs of deliveries of one message to several of a
// client's subscriptions (consecutive MSG items with the same subject and
// payload) in sid order: nats-server delivers to a client's matching
// subscriptions in no fixed order (a self-check against a second
// nats-server finds "SUB * 2; SUB * 3" delivered either way round).
func sortFanout(items []string) []string {
	type pair struct{ line, payload string }
	for i := 0; i < len(items); {
		j := i
		var run []pair
		for j+1 < len(items) && sameDelivery(items[i], items[j]) && strings.HasPrefix(items[j+1], "payload ") &&
			(len(run) == 0 || items[j+1] == run[0].payload) {
			run = append(run, pair{items[j], items[j+1]})
			j += 2
		}
		if len(run) < 2 {
			i++
			continue
		}
		slices.SortStableFunc(run, func(a, b pair) int { return strings.Compare(a.line, b.line) })
		for k, p := range run {
			items[i+2*k], items[i+2*k+1] = p.line, p.payload
		}
		i = j
	}
	return items
}

// sameDelivery reports whether b is a MSG/HMSG line of the same subject
// as a.
func sameDelivery(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	return len(fa) > 1 && len(fb) > 1 && fa[0] == fb[0] && (fa[0] == "MSG" || fa[0] == "HMSG") && fa[1] == fb[1]
}

// msgItems are the items of a MSG or HMSG: the line and the payload. A
// system event ($SYS.>) carries ids and timestamps: its size becomes "N"
// and its payload the event's type.
func msgItems(line string, p []byte) []string {
	f := strings.Fields(line)
	if !strings.HasPrefix(f[1], "$SYS.") {
		return []string{line, "payload " + quote(p)}
	}
	f[len(f)-1] = "N"
	var ev struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(p, &ev)
	return []string{strings.Join(f, " "), "payload <event " + ev.Type + ">"}
}

// payloadSize is the payload length a MSG or HMSG line announces, or -1.
func payloadSize(line string) int {
	f := strings.Fields(line)
	if len(f) == 0 {
		return -1
	}
	switch {
	case f[0] == "MSG" && (len(f) == 4 || len(f) == 5),
		f[0] == "HMSG" && (len(f) == 5 || len(f) == 6):
		n, err := strconv.Atoi(f[len(f)-1])
		if err != nil || n < 0 {
			return -1
		}
		return n
	}
	return -1
}

// normalizeLine reduces INFO to infoFields; other lines stay as they are.
func normalizeLine(line string) string {
	js, ok := strings.CutPrefix(line, "INFO ")
	if !ok {
		return line
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return "INFO <bad json>"
	}
	keep := map[string]any{}
	for _, k := range infoFields {
		if v, ok := m[k]; ok {
			keep[k] = v
		}
	}
	out, _ := json.Marshal(keep)
	return "INFO " + string(out)
}

func quote(b []byte) string { return strconv.Quote(string(b)) }

// ignorable are item filters a run can ask for by name
// (NATSLOOP_DIFF_IGNORE=a,b) to look past a difference that is already
// known and would hide others behind it; both sides lose the items.
var ignorable = map[string]func(item string) bool{
	// 2.12+ sends an INFO with connect_info after the first PONG to a
	// client of protocol 1.
	"connect-info": func(item string) bool {
		return strings.HasPrefix(item, "INFO ") && strings.Contains(item, `"connect_info":true`)
	},
}

// filter drops the items any of the named filters match.
func filter(r Result, names []string) Result {
	if len(names) == 0 {
		return r
	}
	out := make(Result, len(r))
	for i, p := range r {
		out[i] = Phase{Client: p.Client, Seg: p.Seg}
		for _, it := range p.Items {
			if !slices.ContainsFunc(names, func(n string) bool { return ignorable[n](it) }) {
				out[i].Items = append(out[i].Items, it)
			}
		}
	}
	return out
}

// Diff is where two results first part: phase index and item index, and
// the two items there ("" when one side has no item).
type Diff struct {
	Phase, Item int
	Got, Ref    string
}

// firstDiff finds the first difference between got and ref, or nil.
func firstDiff(got, ref Result) *Diff {
	for i := 0; i < max(len(got), len(ref)); i++ {
		g, r := items(got, i), items(ref, i)
		for j := 0; j < max(len(g), len(r)); j++ {
			gi, ri := at(g, j), at(r, j)
			if gi != ri {
				return &Diff{Phase: i, Item: j, Got: gi, Ref: ri}
			}
		}
	}
	return nil
}

// items are the items of phase i of r, nil past its end.
func items(r Result, i int) []string {
	if i < len(r) {
		return r[i].Items
	}
	return nil
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// Signature groups differences by cause: the kinds of the two items.
func (d *Diff) Signature() string {
	return kind(d.Ref) + " | " + kind(d.Got)
}

var quoted = regexp.MustCompile(`"[^"]*"`)

// kind is an item without its variable parts: an -ERR text keeps its
// words but not the subject it names; MSG/HMSG keep the op and the field
// count; INFO keeps the fields.
func kind(item string) string {
	switch {
	case item == "":
		return "(nothing)"
	case strings.HasPrefix(item, "-ERR "):
		return quoted.ReplaceAllString(item, `"…"`)
	case strings.HasPrefix(item, "MSG "), strings.HasPrefix(item, "HMSG "):
		f := strings.Fields(item)
		return fmt.Sprintf("%s/%d", f[0], len(f))
	case strings.HasPrefix(item, "payload "):
		return "payload"
	case strings.HasPrefix(item, "<partial"):
		return "<partial>"
	case strings.HasPrefix(item, "<payload end"):
		return "<payload end>"
	}
	return item
}

// formatResults prints both results side by side, phase by phase.
func formatResults(st Stream, got, ref Result) string {
	var b strings.Builder
	for i := 0; i < max(len(got), len(ref)); i++ {
		var p Phase
		if i < len(ref) {
			p = ref[i]
		} else {
			p = got[i]
		}
		if p.Seg >= 0 {
			fmt.Fprintf(&b, "  send %d %s\n", p.Client, quote(st.Segments[p.Seg].Data))
		} else {
			fmt.Fprintf(&b, "  final %d\n", p.Client)
		}
		g, r := items(got, i), items(ref, i)
		for j := 0; j < max(len(g), len(r)); j++ {
			mark := " "
			if at(g, j) != at(r, j) {
				mark = "≠"
			}
			fmt.Fprintf(&b, "   %s ref %-40s natsloop %s\n", mark, at(r, j), at(g, j))
		}
	}
	return b.String()
}

// queueSIDs finds the queue subscriptions a stream makes: per client, sid
// to queue name, from its "SUB subject queue sid" lines.
func queueSIDs(st Stream) map[int]map[string]string {
	q := map[int]map[string]string{}
	for _, seg := range st.Segments {
		for _, line := range strings.Split(string(seg.Data), "\n") {
			f := strings.Fields(line)
			if len(f) != 4 || !strings.EqualFold(f[0], "SUB") {
				continue
			}
			if q[seg.Client] == nil {
				q[seg.Client] = map[string]string{}
			}
			q[seg.Client][f[3]] = f[2]
		}
	}
	return q
}

// queueNames writes, in each MSG/HMSG a client got on one of its queue
// subscriptions, the queue's name for the sid: which member of a group
// gets a message is random in nats-server (and in natsloop).
func queueNames(r Result, q map[int]map[string]string) Result {
	for i, p := range r {
		sids := q[p.Client]
		if len(sids) == 0 {
			continue
		}
		for j, it := range p.Items {
			f := strings.Fields(it)
			if len(f) < 4 || (f[0] != "MSG" && f[0] != "HMSG") {
				continue
			}
			if name, ok := sids[f[2]]; ok {
				f[2] = "queue:" + name
				r[i].Items[j] = strings.Join(f, " ")
			}
		}
	}
	return r
}
