package auth

import (
	"fmt"
	"testing"
	"time"

	"natsloop/config"
)

func noAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(200, f); n != 0 {
		t.Errorf("%s: %v allocs per run, want 0", name, n)
	}
}

func TestPermsZeroAllocs(t *testing.T) {
	few := perms(t, &config.Permissions{
		Publish:   &config.SubjectPermission{Allow: []string{"foo.>", "bar.*"}, Deny: []string{"foo.secret"}},
		Subscribe: &config.SubjectPermission{Allow: []string{"foo.>", "work.* q"}, Deny: []string{"foo.secret", "foo.x q2"}},
	})
	sp := &config.SubjectPermission{Deny: []string{"d.>"}}
	for i := 0; i < 20; i++ {
		sp.Allow = append(sp.Allow, fmt.Sprintf("a%d.*", i))
	}
	many := perms(t, &config.Permissions{Publish: sp})
	if many.pubCache == nil {
		t.Fatal("no cache")
	}
	sub, lit, queue := []byte("foo.*"), []byte("foo.bar"), []byte("q")
	denied, cached, work := []byte("foo.secret"), []byte("a7.x"), []byte("work.a")
	var sink bool
	noAllocs(t, "CanPublish", func() { sink = few.CanPublish(lit) != few.CanPublish(denied) })
	many.CanPublish(cached) // warm the cache
	noAllocs(t, "CanPublish cached", func() { sink = many.CanPublish(cached) })
	noAllocs(t, "CanSubscribe", func() { sink = few.CanSubscribe(sub, nil) && few.CanSubscribe(work, queue) })
	noAllocs(t, "CanDeliver", func() { sink = few.CanDeliver(lit) })
	noAllocs(t, "NeedsDeliveryFilter", func() { sink = few.NeedsDeliveryFilter(sub) })

	r := perms(t, &config.Permissions{AllowResponses: &config.ResponsePermission{MaxMsgs: -1}}).NewReplies()
	now := time.Now()
	r.Add([]byte("_INBOX.x"), now)
	inbox := []byte("_INBOX.x")
	noAllocs(t, "Replies.Use", func() { sink = r.Use(inbox, now) })
	_ = sink
}

func TestImportMappingZeroAllocs(t *testing.T) {
	st := &ImportSpec{Kind: Stream, Prefix: "p"}
	sv := &ImportSpec{Kind: Service, subject: []byte("a.*.>"), local: []byte("b.*.>")}
	dst := make([]byte, 0, 64)
	src, local := []byte("a.x.y"), []byte("b.x.y.z")
	noAllocs(t, "ToLocal", func() { dst = st.ToLocal(dst[:0], src) })
	noAllocs(t, "ToRemote", func() { dst = sv.ToRemote(dst[:0], local) })
	if string(dst) != "a.x.y.z" {
		t.Fatalf("ToRemote = %q", dst)
	}
}

func BenchmarkCanPublish(b *testing.B) {
	p, _ := compilePerms(&config.Permissions{Publish: &config.SubjectPermission{Allow: []string{"foo.>", "bar.*"}, Deny: []string{"foo.secret"}}})
	s := []byte("foo.bar.baz")
	b.ReportAllocs()
	for b.Loop() {
		p.CanPublish(s)
	}
}

func BenchmarkCheckCacheHit(b *testing.B) {
	a := bcryptUsers(b, defaultLimits())
	cr := Credentials{User: "bob", Pass: "right"}
	a.Check(cr)
	b.ReportAllocs()
	for b.Loop() {
		a.Start(cr, nil)
	}
}

func BenchmarkBcryptCost11(b *testing.B) {
	a := mustNew(b, opts(&config.Authorization{User: "derek", Password: "$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS"}))
	for b.Loop() {
		a.cache = newOKCache(1) // every check misses
		a.Check(Credentials{User: "derek", Pass: "#IclkRPHUpsTmACWzmIGXr"})
	}
}

func BenchmarkNkeyVerify(b *testing.B) {
	a, cr := nkeyFixture(b)
	for b.Loop() {
		if _, err := a.Check(cr); err != nil {
			b.Fatal(err)
		}
	}
}
