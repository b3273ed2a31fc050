package perf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// The raw client: a plain TCP connection speaking just enough of the NATS
// client protocol (INFO, CONNECT, PUB, PING/PONG) for the pre-framed
// publisher and the idle connections. The frame encoding lives in
// appendPub alone so it can be swapped for package proto's encoder.

// appendPub appends the frame "PUB subject len\r\npayload\r\n" to dst.
func appendPub(dst []byte, subject string, payload []byte) []byte {
	dst = append(dst, "PUB "...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, payload...)
	return append(dst, '\r', '\n')
}

// rawConnect is the CONNECT line the raw client sends: no +OK acks.
const rawConnect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"lang\":\"natsloop-perf-raw\",\"version\":\"1\"}\r\n"

// rawHandshake reads the server's INFO line, sends CONNECT and PING and
// reads until PONG. buf is scratch space (at least 4 KiB; it limits the
// INFO line). The deadline bounds the whole exchange.
func rawHandshake(c net.Conn, buf []byte, deadline time.Time) error {
	_ = c.SetDeadline(deadline)
	defer c.SetDeadline(time.Time{})
	n, err := readUntil(c, buf, []byte("\r\n"))
	if err != nil {
		return fmt.Errorf("perf: raw: read INFO: %w", err)
	}
	if !bytes.HasPrefix(bytes.ToUpper(buf[:min(n, 5)]), []byte("INFO ")) {
		return fmt.Errorf("perf: raw: expected INFO, got %q", buf[:min(n, 40)])
	}
	if _, err := c.Write([]byte(rawConnect + "PING\r\n")); err != nil {
		return fmt.Errorf("perf: raw: write CONNECT: %w", err)
	}
	return readPong(c, buf)
}

// rawPing sends PING and reads until PONG (other lines are skipped).
func rawPing(c net.Conn, buf []byte, deadline time.Time) error {
	_ = c.SetDeadline(deadline)
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return fmt.Errorf("perf: raw: write PING: %w", err)
	}
	return readPong(c, buf)
}

// readPong reads until "PONG\r\n"; an -ERR line is an error.
func readPong(c net.Conn, buf []byte) error {
	n, err := readUntil(c, buf, []byte("PONG\r\n"))
	if i := bytes.Index(buf[:n], []byte("-ERR")); i >= 0 {
		end := bytes.IndexByte(buf[i:n], '\n')
		if end < 0 {
			end = n - i
		}
		return fmt.Errorf("perf: raw: server said %q", bytes.TrimSpace(buf[i:i+end]))
	}
	if err != nil {
		return fmt.Errorf("perf: raw: waiting for PONG: %w", err)
	}
	return nil
}

// readUntil reads into buf until it contains marker and returns the
// bytes read. When buf fills up, all but the last len(marker)-1 bytes are
// dropped (they cannot hold the start of marker), so long input such as
// an async INFO is skipped.
func readUntil(c net.Conn, buf []byte, marker []byte) (int, error) {
	n := 0
	for i := 0; i < 1<<20; i++ {
		if idx := bytes.Index(buf[:n], marker); idx >= 0 {
			return n, nil
		}
		if n == len(buf) {
			keep := len(marker) - 1
			copy(buf, buf[n-keep:n])
			n = keep
		}
		m, err := c.Read(buf[n:])
		n += m
		if err != nil {
			if bytes.Contains(buf[:n], marker) {
				return n, nil
			}
			return n, err
		}
	}
	return n, errors.New("perf: raw: too much input")
}

// readInfo dials addr and returns the server's INFO JSON as a map.
func readInfo(ctx context.Context, addr string) (map[string]any, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("perf: dial %s: %w", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64<<10)
	n, err := readUntil(c, buf, []byte("\r\n"))
	if err != nil {
		return nil, fmt.Errorf("perf: read INFO: %w", err)
	}
	return parseInfo(buf[:n])
}

// parseInfo parses an "INFO {...} \r\n" line.
func parseInfo(line []byte) (map[string]any, error) {
	i := bytes.IndexByte(line, '{')
	j := bytes.LastIndexByte(line, '}')
	if !bytes.HasPrefix(bytes.ToUpper(line), []byte("INFO")) || i < 0 || j < i {
		return nil, fmt.Errorf("perf: not an INFO line: %q", line[:min(len(line), 40)])
	}
	m := map[string]any{}
	if err := json.Unmarshal(line[i:j+1], &m); err != nil {
		return nil, fmt.Errorf("perf: INFO JSON: %w", err)
	}
	return m, nil
}

func infoBool(info map[string]any, key string) bool {
	b, _ := info[key].(bool)
	return b
}
