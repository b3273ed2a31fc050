package auth

import (
	"fmt"
	"testing"
	"time"

	"natsloop/config"
)

func perms(t *testing.T, p *config.Permissions) *Perms {
	t.Helper()
	c, err := compilePerms(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCanPublish(t *testing.T) {
	cases := []struct {
		name    string
		sp      *config.SubjectPermission
		allowed []string
		denied  []string
	}{
		{"list", &config.SubjectPermission{Allow: []string{"foo", "bar.*", "baz.>"}},
			[]string{"foo", "bar.x", "baz.x", "baz.x.y"}, []string{"foox", "bar", "bar.x.y", "baz", "other"}},
		{"deny only", &config.SubjectPermission{Deny: []string{"secret.>", "admin"}},
			[]string{"foo", "secret", "admin.x"}, []string{"secret.x", "secret.x.y", "admin"}},
		{"deny wins", &config.SubjectPermission{Allow: []string{"foo.>"}, Deny: []string{"foo.secret", "foo.*.private"}},
			[]string{"foo.bar", "foo.secret.x", "foo.a.public"}, []string{"foo.secret", "foo.a.private", "bar"}},
		{"empty allow", &config.SubjectPermission{Allow: []string{}}, nil, []string{"foo", "bar"}},
		{"full wildcard", &config.SubjectPermission{Allow: []string{">"}, Deny: []string{"$SYS.>"}},
			[]string{"a", "a.b"}, []string{"$SYS.x"}},
	}
	for _, c := range cases {
		p := perms(t, &config.Permissions{Publish: c.sp})
		for _, s := range c.allowed {
			if !p.CanPublish([]byte(s)) {
				t.Errorf("%s: publish %q denied", c.name, s)
			}
		}
		for _, s := range c.denied {
			if p.CanPublish([]byte(s)) {
				t.Errorf("%s: publish %q allowed", c.name, s)
			}
		}
		if !p.CanSubscribe([]byte("anything.>"), nil) {
			t.Errorf("%s: publish rules restrict subscribe", c.name)
		}
	}
}

// Many patterns: results go through the publish cache and must not
// change on the second (cached) look.
func TestCanPublishCached(t *testing.T) {
	sp := &config.SubjectPermission{Deny: []string{"d.>"}}
	for i := 0; i < 20; i++ {
		sp.Allow = append(sp.Allow, fmt.Sprintf("a%d.*", i))
	}
	sp.Allow = append(sp.Allow, "d.>")
	p := perms(t, &config.Permissions{Publish: sp})
	if p.pubCache == nil {
		t.Fatal("no cache for 22 patterns")
	}
	for round := 0; round < 2; round++ {
		for i := 0; i < 30; i++ {
			s := []byte(fmt.Sprintf("a%d.x", i))
			if got := p.CanPublish(s); got != (i < 20) {
				t.Fatalf("round %d: %s = %v", round, s, got)
			}
			if p.CanPublish([]byte(fmt.Sprintf("d.%d", i))) {
				t.Fatalf("round %d: deny lost", round)
			}
		}
	}
}

func TestCanSubscribe(t *testing.T) {
	type sub struct{ subject, queue string }
	cases := []struct {
		name    string
		sp      *config.SubjectPermission
		allowed []sub
		denied  []sub
	}{
		{"plain allow", &config.SubjectPermission{Allow: []string{"foo.*", "bar.>"}},
			[]sub{{"foo.x", ""}, {"foo.*", ""}, {"foo.x", "q"}, {"bar.x.y", ""}, {"bar.*", ""}, {"bar.>", ""}, {"bar.*.>", ""}},
			[]sub{{"foo.>", ""}, {"foo", ""}, {"foo.x.y", ""}, {">", ""}, {"*.x", ""}, {"bar", ""}}},
		{"deny wins", &config.SubjectPermission{Allow: []string{"foo.>"}, Deny: []string{"foo.secret.>", "foo.admin"}},
			[]sub{{"foo.x", ""}, {"foo.secret", ""}, {"foo.*", ""}},
			[]sub{{"foo.secret.x", ""}, {"foo.secret.>", ""}, {"foo.secret.*", ""}, {"foo.admin", ""}, {"foo.admin", "q"}}},
		{"deny wildcard covers wildcard sub", &config.SubjectPermission{Deny: []string{"foo.*"}},
			[]sub{{"foo", ""}, {"foo.x.y", ""}, {"bar.>", ""}},
			[]sub{{"foo.x", ""}, {"foo.*", ""}, {"foo.>", ""}}},
		{"queue-restricted allow", &config.SubjectPermission{Allow: []string{"foo.* q1", "bar v1.*"}},
			[]sub{{"foo.x", "q1"}, {"foo.*", "q1"}, {"bar", "v1.a"}},
			[]sub{{"foo.x", ""}, {"foo.x", "q2"}, {"bar", ""}, {"bar", "v2.a"}, {"bar", "v1"}}},
		{"queue allow next to plain allow", &config.SubjectPermission{Allow: []string{"foo.>", "foo.bar q1"}},
			[]sub{{"foo.bar", ""}, {"foo.bar", "q1"}, {"foo.baz", "q2"}},
			[]sub{{"foo.bar", "q2"}}},
		{"queue-restricted deny", &config.SubjectPermission{Deny: []string{"foo.* q1"}},
			[]sub{{"foo.x", ""}, {"foo.x", "q2"}, {"bar", "q1"}},
			[]sub{{"foo.x", "q1"}}},
		{"plain deny wins over queue", &config.SubjectPermission{Deny: []string{"foo.>", "foo.bar q1"}},
			nil,
			[]sub{{"foo.bar", "q2"}, {"foo.bar", ""}, {"foo.bar", "q1"}}},
		{"empty allow", &config.SubjectPermission{Allow: []string{}}, nil, []sub{{"foo", ""}, {"foo", "q"}}},
	}
	for _, c := range cases {
		p := perms(t, &config.Permissions{Subscribe: c.sp})
		for _, s := range c.allowed {
			if !p.CanSubscribe([]byte(s.subject), []byte(s.queue)) {
				t.Errorf("%s: SUB %q %q denied", c.name, s.subject, s.queue)
			}
		}
		for _, s := range c.denied {
			if p.CanSubscribe([]byte(s.subject), []byte(s.queue)) {
				t.Errorf("%s: SUB %q %q allowed", c.name, s.subject, s.queue)
			}
		}
		if !p.CanPublish([]byte("anything")) {
			t.Errorf("%s: subscribe rules restrict publish", c.name)
		}
	}
}

// A wildcard subscription overlapping a deny is accepted, and deliveries
// on denied subjects are filtered (nats-server's behaviour).
func TestDeliveryFilter(t *testing.T) {
	p := perms(t, &config.Permissions{Subscribe: &config.SubjectPermission{Deny: []string{"foo.bar", "*.baz.x", "q.* grp"}}})
	for _, c := range []struct {
		sub    string
		filter bool
	}{
		{"foo.*", true}, {">", true}, {"foo.>", true}, {"foo.baz", false}, {"a.*", false},
		{"foo.*.x", true}, {"a.*.x", true}, {"q.*", false}, {"x.y", false},
	} {
		if !p.CanSubscribe([]byte(c.sub), nil) {
			t.Errorf("SUB %q refused", c.sub)
		}
		if got := p.NeedsDeliveryFilter([]byte(c.sub)); got != c.filter {
			t.Errorf("NeedsDeliveryFilter(%q) = %v", c.sub, got)
		}
	}
	for s, ok := range map[string]bool{"foo.bar": false, "foo.baz": true, "a.baz.x": false, "a.baz.y": true, "q.x": true} {
		if p.CanDeliver([]byte(s)) != ok {
			t.Errorf("CanDeliver(%q) != %v", s, ok)
		}
	}
	var none *Perms
	if !none.CanDeliver([]byte("x")) || none.NeedsDeliveryFilter([]byte(">")) || !none.CanPublish([]byte("x")) || !none.CanSubscribe([]byte(">"), nil) {
		t.Fatal("nil Perms must allow everything")
	}
}

func TestAllowResponses(t *testing.T) {
	// As config.Load leaves it: allow_responses without publish allow.
	p := perms(t, &config.Permissions{
		Publish:        &config.SubjectPermission{Allow: []string{}},
		AllowResponses: &config.ResponsePermission{MaxMsgs: 2, Expires: time.Minute},
	})
	if p.CanPublish([]byte("anything")) {
		t.Fatal("allow_responses alone must deny ordinary publishing")
	}
	max, exp, ok := p.AllowResponses()
	if !ok || max != 2 || exp != time.Minute {
		t.Fatalf("AllowResponses = %d %v %v", max, exp, ok)
	}
	// Without the config loader's adjustment the effect is the same.
	p2 := perms(t, &config.Permissions{AllowResponses: &config.ResponsePermission{MaxMsgs: 1}})
	if p2 == nil || p2.CanPublish([]byte("x")) {
		t.Fatal("allow_responses must restrict publishing")
	}

	now := time.Unix(1000, 0)
	r := p.NewReplies()
	if r.Use([]byte("_INBOX.a"), now) {
		t.Fatal("reply allowed before any request")
	}
	r.Add([]byte("_INBOX.a"), now)
	first := r.Use([]byte("_INBOX.a"), now)
	second := r.Use([]byte("_INBOX.a"), now)
	if !first || !second {
		t.Fatal("two responses allowed")
	}
	if r.Use([]byte("_INBOX.a"), now) {
		t.Fatal("third response allowed")
	}
	r.Add([]byte("_INBOX.b"), now)
	if r.Use([]byte("_INBOX.b"), now.Add(2*time.Minute)) {
		t.Fatal("expired response allowed")
	}
	if r.Len() != 0 {
		t.Fatalf("%d grants left", r.Len())
	}
	if (*Perms)(nil).NewReplies() != nil || perms(t, &config.Permissions{Publish: &config.SubjectPermission{Deny: []string{"x"}}}).NewReplies() != nil {
		t.Fatal("Replies without allow_responses")
	}
}

func TestRepliesPrune(t *testing.T) {
	p := perms(t, &config.Permissions{AllowResponses: &config.ResponsePermission{MaxMsgs: 1, Expires: time.Second}})
	r := p.NewReplies()
	now := time.Unix(1000, 0)
	for i := 0; i < 3*replyPruneEvery; i++ {
		r.Add([]byte(fmt.Sprintf("r.%d", i)), now.Add(time.Duration(i)*time.Millisecond))
	}
	if r.Len() > 2000 {
		t.Fatalf("%d grants kept, expired ones not pruned", r.Len())
	}
}

func TestSubjectRelations(t *testing.T) {
	for _, c := range []struct {
		a, b          string
		subset, overl bool
	}{
		{"foo", "foo", true, true},
		{"foo", "bar", false, false},
		{"foo.*", "foo.>", true, true},
		{"foo.>", "foo.*", false, true},
		{"foo.*", "foo.*", true, true},
		{"foo.bar", "foo.*", true, true},
		{"foo.*", "foo.bar", false, true},
		{"*.bar", "foo.*", false, true},
		{"foo", "foo.>", false, false},
		{"foo.>", ">", true, true},
		{">", "foo.>", false, true},
		{"a.b.c", "a.*", false, false},
		{"a.*.c", "a.b.*", false, true},
	} {
		if got := isSubset([]byte(c.a), []byte(c.b)); got != c.subset {
			t.Errorf("isSubset(%q, %q) = %v", c.a, c.b, got)
		}
		if got := overlaps([]byte(c.a), []byte(c.b)); got != c.overl {
			t.Errorf("overlaps(%q, %q) = %v", c.a, c.b, got)
		}
		if got := overlaps([]byte(c.b), []byte(c.a)); got != c.overl {
			t.Errorf("overlaps(%q, %q) = %v", c.b, c.a, got)
		}
	}
}

// TestEmptyTokenMatchesNoRule: a subject with an empty token matches no
// allow and no deny rule, as nats-server's sublist matches nothing for it.
func TestEmptyTokenMatchesNoRule(t *testing.T) {
	allow, err := compilePerms(&config.Permissions{
		Publish:   &config.SubjectPermission{Allow: []string{"foo.>"}},
		Subscribe: &config.SubjectPermission{Allow: []string{"foo.*"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	deny, err := compilePerms(&config.Permissions{
		Publish:   &config.SubjectPermission{Deny: []string{"foo.>"}},
		Subscribe: &config.SubjectPermission{Deny: []string{"foo.*"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"foo.", "foo..bar", ".foo"} {
		if allow.CanPublish([]byte(s)) || allow.CanSubscribe([]byte(s), nil) || allow.CanSubscribe([]byte(s), []byte("q")) {
			t.Errorf("%q allowed by an allow list it does not match", s)
		}
		if !deny.CanPublish([]byte(s)) || !deny.CanSubscribe([]byte(s), nil) {
			t.Errorf("%q refused by a deny list it does not match", s)
		}
	}
}
