package tlsbridge

import (
	"bytes"
	"crypto/tls"
	"testing"
)

// flushes are the two shapes benchmarked: 100 messages of 128 B staged
// in one flush, and one 16 KB payload.
var flushes = []struct {
	name string
	size int
}{{"128Bx100", 128 * 100}, {"16KB", 16 << 10}}

func benchPair(b *testing.B, version uint16) (sb, cb *Bridge) {
	f := certs(b)
	scfg := mustServerConfig(b, f)
	scfg.MaxVersion = version
	return bridgePair(b, scfg, mustClientConfig(b, f))
}

var versions = []struct {
	name string
	v    uint16
}{{"TLS13", tls.VersionTLS13}, {"TLS12", tls.VersionTLS12}}

func BenchmarkEncrypt(b *testing.B) {
	for _, v := range versions {
		for _, fl := range flushes {
			b.Run(v.name+"/"+fl.name, func(b *testing.B) {
				sb, _ := benchPair(b, v.v)
				plain := bytes.Repeat([]byte("m"), fl.size)
				var ct []byte
				b.SetBytes(int64(fl.size))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					var err error
					if ct, err = sb.Encrypt(ct[:0], plain); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkFeed(b *testing.B) {
	for _, v := range versions {
		for _, fl := range flushes {
			b.Run(v.name+"/"+fl.name, func(b *testing.B) {
				sb, cb := benchPair(b, v.v)
				plain := bytes.Repeat([]byte("m"), fl.size)
				// Ciphertext is made in batches with the timer stopped
				// (each record can be decrypted once only).
				const batch = 256
				cts := make([][]byte, batch)
				var out []byte
				b.SetBytes(int64(fl.size))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i += batch {
					b.StopTimer()
					n := min(batch, b.N-i)
					for j := range n {
						var err error
						if cts[j], err = cb.Encrypt(cts[j][:0], plain); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
					for j := range n {
						var err error
						if out, err = sb.Feed(cts[j], out[:0]); err != nil || len(out) != fl.size {
							b.Fatalf("%d bytes, %v", len(out), err)
						}
					}
				}
			})
		}
	}
}

// TestSteadyStateAllocs pins the allocation counts reported in the
// package documentation: Encrypt allocates nothing; Feed allocates only
// crypto/tls's per-read io.Reader wrapper (one per underlying read it
// makes: the read that takes the input and the one that finds it dry).
func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	if testing.Short() {
		t.Skip("short")
	}
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			f := certs(t)
			scfg := mustServerConfig(t, f)
			scfg.MaxVersion = v.v
			sb, cb := bridgePair(t, scfg, mustClientConfig(t, f))
			plain := bytes.Repeat([]byte("m"), 128*100)
			var ct, out []byte
			var err error
			warm := func() {
				ct, err = cb.Encrypt(ct[:0], plain)
				if err == nil {
					out, err = sb.Feed(ct, out[:0])
				}
			}
			for range 10 {
				warm()
			}
			var sct []byte // server -> client, never read: only the sender's state matters
			enc := testing.AllocsPerRun(200, func() { sct, err = sb.Encrypt(sct[:0], plain) })
			// Feed: each run encrypts (0 allocs, checked above) and feeds.
			feed := testing.AllocsPerRun(200, func() {
				ct, err = cb.Encrypt(ct[:0], plain)
				if err == nil {
					out, err = sb.Feed(ct, out[:0])
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: Encrypt %.1f allocs, Feed %.1f allocs", v.name, enc, feed)
			if enc != 0 {
				t.Errorf("Encrypt allocates %.1f per call", enc)
			}
			if feed > 2 {
				t.Errorf("Feed allocates %.1f per call, want <= 2", feed)
			}
		})
	}
}
