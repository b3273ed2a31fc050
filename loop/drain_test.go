package loop

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// drainServer: the first conn is the consumer C; any other conn's line
// "G n" stages n KiB for C, and if C's Pending is then above 256 KiB the
// sender waits for C to drain to 64 KiB (timeout from the test); every
// processed line is answered "ok <expired>".
type drainServer struct {
	mu      sync.Mutex
	c       *Conn
	timeout time.Duration
}

func (d *drainServer) handler() *funcHandler {
	return &funcHandler{data: func(c *Conn, b []byte) int {
		consumed := 0
		for !c.Paused() {
			i := strings.IndexByte(string(b[consumed:]), '\n')
			if i < 0 {
				break
			}
			line := string(b[consumed : consumed+i])
			consumed += i + 1
			d.mu.Lock()
			if d.c == nil {
				d.c = c
			}
			dst := d.c
			d.mu.Unlock()
			if c == dst {
				continue
			}
			expired := c.WaitExpired()
			var kib int
			fmt.Sscanf(line, "G %d", &kib)
			sh := c.Shard()
			buf := sh.Begin(dst)
			*buf = append(*buf, strings.Repeat("x", kib<<10)...)
			sh.Commit(dst)
			*c.Out() = fmt.Appendf(*c.Out(), "ok %v\n", expired)
			if sh.Pending(dst) > 256<<10 {
				sh.WaitDrain(c, dst, 64<<10, d.timeout)
			}
		}
		return consumed
	}}
}

// consumer connects the consumer C and waits until the server knows it.
func (d *drainServer) consumer(t *testing.T, s *Server) net.Conn {
	t.Helper()
	cons := dial(t, s)
	if _, err := cons.Write([]byte("C\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "consumer", 5*time.Second, func() bool { d.mu.Lock(); defer d.mu.Unlock(); return d.c != nil })
	return cons
}

// TestWaitDrain: a producer waiting on a consumer resumes when the
// consumer drains, when its wait times out (WaitExpired), and when the
// consumer closes; the consumer's Pending counts frames still queued on
// another loop.
func TestWaitDrain(t *testing.T) {
	for _, loops := range []int{1, 2} {
		t.Run(fmt.Sprintf("loops=%d", loops), func(t *testing.T) {
			d := &drainServer{timeout: time.Minute}
			s := startServer(t, Config{Loops: loops, Balance: RoundRobin, SocketSendBuffer: 64 << 10}, d.handler())
			cons := d.consumer(t, s)
			prod := dial(t, s)
			pr := bufio.NewReader(prod)
			// Fill C past the mark: the producer's next line waits.
			for i := 0; i < 40; i++ {
				fmt.Fprintf(prod, "G 64\n")
			}
			got := 0
			deadline := time.Now().Add(3 * time.Second)
			_ = prod.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			for time.Now().Before(deadline) {
				if _, err := pr.ReadString('\n'); err != nil {
					break
				}
				got++
			}
			if got == 0 || got >= 40 {
				t.Fatalf("producer answered %d of 40 lines while the consumer read nothing: want it to wait", got)
			}
			// Draining the consumer resumes the producer.
			go func() {
				buf := make([]byte, 64<<10)
				for {
					if _, err := cons.Read(buf); err != nil {
						return
					}
				}
			}()
			_ = prod.SetReadDeadline(time.Now().Add(10 * time.Second))
			for ; got < 40; got++ {
				line, err := pr.ReadString('\n')
				if err != nil {
					t.Fatalf("after %d lines, with the consumer draining: %v", got, err)
				}
				if line != "ok false\n" {
					t.Fatalf("got %q", line)
				}
			}
		})
	}
}

// TestWaitDrainTimeoutAndClose: a consumer that reads nothing ends the
// wait by its timeout (WaitExpired) and, once closed, at once.
func TestWaitDrainTimeoutAndClose(t *testing.T) {
	d := &drainServer{timeout: 50 * time.Millisecond}
	s := startServer(t, Config{Loops: 2, Balance: RoundRobin, SocketSendBuffer: 64 << 10}, d.handler())
	d.consumer(t, s) // never reads
	prod := dial(t, s)
	pr := bufio.NewReader(prod)
	fmt.Fprintf(prod, "G 512\nG 1\n")
	readLine(t, pr, prod, 5*time.Second)
	if got := readLine(t, pr, prod, 5*time.Second); got != "ok true\n" {
		t.Fatalf("after a timed-out wait got %q, want WaitExpired", got)
	}
	// A very long wait ended by the consumer's close.
	d.mu.Lock()
	d.timeout = time.Hour
	c := d.c
	d.mu.Unlock()
	fmt.Fprintf(prod, "G 512\nG 1\n")
	readLine(t, pr, prod, 5*time.Second)
	c.CloseAsync(nil)
	if got := readLine(t, pr, prod, 5*time.Second); got != "ok false\n" {
		t.Fatalf("after the consumer closed got %q", got)
	}
}
