package tlsbridge

import (
	"bytes"
	"crypto/tls"
	"testing"
	"time"
)

// pumpChunked runs the handshake between two Bridges in memory, moving
// ciphertext in pieces of at most chunk bytes; the server is started only
// after its first input arrived (ciphertext fed before Start is kept).
func pumpChunked(t *testing.T, scfg, ccfg *tls.Config, chunk int) (sb, cb *Bridge) {
	t.Helper()
	wake := make(chan struct{}, 1)
	notify := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	sb, cb = NewServer(scfg, notify), NewClient(ccfg, notify)
	cb.StartTimeout(5 * time.Second)
	started := false
	ended := func(b *Bridge) bool { p := b.State().Phase; return p != PhaseNew && p != PhaseHandshake }
	move := func(from, to *Bridge) {
		buf := from.TakeOutput(nil)
		for len(buf) > 0 {
			n := min(chunk, len(buf))
			if _, err := to.Feed(buf[:n], nil); err != nil {
				t.Fatal(err)
			}
			buf = buf[n:]
			if to == sb && !started {
				started = true
				sb.StartTimeout(5 * time.Second)
			}
		}
	}
	deadline := time.After(10 * time.Second)
	for !ended(sb) || !ended(cb) || sb.HasOutput() || cb.HasOutput() {
		select {
		case <-wake:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatalf("handshake in %d-byte chunks did not end: %v %v", chunk, sb.State(), cb.State())
		}
		move(cb, sb)
		move(sb, cb)
	}
	if sb.State().Phase != PhaseReady || cb.State().Phase != PhaseReady {
		t.Fatalf("server %+v client %+v", sb.State(), cb.State())
	}
	return sb, cb
}

// TestFeedSplitInvariance: however the ciphertext is cut into Feeds
// (inside record headers, inside bodies, many records at once), the
// plaintext is the same, in both directions and both versions.
func TestFeedSplitInvariance(t *testing.T) {
	f := certs(t)
	large, small := bigStreams()
	payloads := [][]byte{bytes.Join(small[:300], nil), large[0][:100000], []byte("x"), bytes.Join(small[300:600], nil)}
	want := bytes.Join(payloads, nil)
	for _, v := range versions {
		for _, chunk := range []int{1, 4, 5, 6, 1000, 16389, 40000, 1 << 20} {
			scfg := mustServerConfig(t, f)
			scfg.MaxVersion = v.v
			hsChunk := chunk
			if chunk > 4 && chunk < 1000 {
				hsChunk = 1 // also run some handshakes a byte at a time
			}
			sb, cb := pumpChunked(t, scfg, mustClientConfig(t, f), hsChunk)
			for _, dir := range []struct {
				name     string
				from, to *Bridge
			}{{"c->s", cb, sb}, {"s->c", sb, cb}} {
				var ct []byte
				for _, p := range payloads {
					var err error
					if ct, err = dir.from.Encrypt(ct, p); err != nil {
						t.Fatal(err)
					}
				}
				var got, plain []byte
				for len(ct) > 0 {
					n := min(chunk, len(ct))
					var err error
					plain, err = dir.to.Feed(ct[:n], plain[:0])
					if err != nil {
						t.Fatalf("%s %s chunk %d: %v", v.name, dir.name, chunk, err)
					}
					got = append(got, plain...)
					ct = ct[n:]
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s %s chunk %d: got %d bytes, want %d", v.name, dir.name, chunk, len(got), len(want))
				}
			}
		}
	}
}
