package proto

import (
	"encoding/base32"
	"strings"
	"testing"
)

// TestInfoFieldNames: the always-present INFO fields are exactly those
// nats-server always sends (checked against 2.9.10 and 2.15.2 INFO lines:
// server_id, server_name, version, proto, go, host, port, headers,
// max_payload); everything else is omitted when empty.
func TestInfoFieldNames(t *testing.T) {
	got := string(AppendInfo(nil, &Info{}))
	want := `INFO {"server_id":"","server_name":"","version":"","proto":0,"go":"","host":"","port":0,"headers":false,"max_payload":0} ` + "\r\n"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	full := string(AppendInfo(nil, &Info{ServerID: "N", ClientID: 7, ClientIP: "127.0.0.1", AuthRequired: true,
		TLSRequired: true, Nonce: "n", Cluster: "c", ClientURLs: []string{"a:1"}, LameDuckMode: true, IP: "nats-route://h:1/"}))
	for _, k := range []string{`"client_id":7`, `"client_ip":"127.0.0.1"`, `"auth_required":true`, `"tls_required":true`,
		`"nonce":"n"`, `"cluster":"c"`, `"connect_urls":["a:1"]`, `"ldm":true`, `"ip":"nats-route://h:1/"`} {
		if !strings.Contains(full, k) {
			t.Errorf("INFO lacks %s: %s", k, full)
		}
	}
	// A 2.15.2 INFO line as sent on loopback parses.
	info, err := ParseInfo([]byte(`{"server_id":"ND2TC6KGZIHTVFJQMJHEPYDFW6VODLADOOIGY3TUPRRKXR5FCDSPIOJ7","server_name":"x","version":"2.15.2","proto":1,"go":"go1.26.8","host":"127.0.0.1","port":24223,"headers":true,"max_payload":1048576,"client_id":130,"client_ip":"127.0.0.1","api_lvl":5,"xkey":"XCHN"}`))
	if err != nil || info.Port != 24223 || !info.Headers || info.MaxPayload != 1048576 || info.ClientID != 130 {
		t.Fatalf("%+v %v", info, err)
	}
	if _, err := ParseInfo([]byte("{bad")); err == nil || !strings.HasPrefix(err.Error(), "proto: ") {
		t.Fatalf("bad INFO: %v", err)
	}
}

// TestParseConnect: nats-server applies verbose, pedantic and echo = true
// before the JSON (so `CONNECT {}` gets +OK after every op: checked on
// 2.9.10 and 2.15.2).
func TestParseConnect(t *testing.T) {
	c, err := ParseConnect([]byte(`{}`))
	if err != nil || !c.Verbose || !c.Pedantic || !c.Echo {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = ParseConnect([]byte(`{"verbose":false,"pedantic":false,"echo":false,"headers":true,"no_responders":true,` +
		`"user":"u","pass":"p","auth_token":"t","name":"n","lang":"go","version":"1.0","protocol":1,"nkey":"U","sig":"s","jwt":"j"}`))
	if err != nil || c.Verbose || c.Pedantic || c.Echo || !c.Headers || !c.NoResponders || c.User != "u" || c.Pass != "p" ||
		c.AuthToken != "t" || c.Name != "n" || c.Lang != "go" || c.Version != "1.0" || c.Protocol != 1 || c.Nkey != "U" ||
		c.Sig != "s" || c.JWT != "j" {
		t.Fatalf("%+v %v", c, err)
	}
	for _, bad := range []string{"", "{bad", "X {}"} {
		if _, err := ParseConnect([]byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "proto: ") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// CONNECT round trip.
	b := AppendConnect(nil, &Connect{Echo: true, Headers: true, Name: "NABC", User: "u", Pass: "p"})
	got := feed(Parser{Mode: ModeRoute}, b)
	if got.Err != nil || len(got.Ops) != 1 || got.Ops[0].Kind != OpConnect {
		t.Fatalf("%+v", got)
	}
	c, err = ParseConnect([]byte(got.Ops[0].Arg))
	if err != nil || c.Verbose || c.Pedantic || !c.Echo || c.Name != "NABC" || c.User != "u" || c.Pass != "p" {
		t.Fatalf("%+v %v %s", c, err, b)
	}
}

// TestConnectMerge: a second CONNECT changes only the fields it names,
// as nats-server unmarshals it over the client's current options.
func TestConnectMerge(t *testing.T) {
	c, err := ParseConnect([]byte(`{"verbose":false,"headers":true,"user":"a","pass":"p","name":"n"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Merge([]byte(`{"no_responders":true,"pass":"q"}`)); err != nil {
		t.Fatal(err)
	}
	want := Connect{Echo: true, Pedantic: true, Headers: true, NoResponders: true, User: "a", Pass: "q", Name: "n"}
	if c != want {
		t.Fatalf("merged %+v, want %+v", c, want)
	}
	// A type the reference's struct refuses is refused here too.
	for _, bad := range []string{`{"import":"x"}`, `{"protocol":1.5}`, `{"name":5}`, `{"remote_account":true}`} {
		if err := c.Merge([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	if err := c.Merge([]byte(`{"cluster":5,"unknown":[1]}`)); err != nil {
		t.Errorf("unknown fields must be ignored: %v", err)
	}
}

// TestServerID: 56 characters, 'N' first, base32, valid prefix and CRC
// (the same checks nkeys applies to a server public key).
func TestServerID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id := NewServerID()
		if len(id) != 56 || id[0] != 'N' || seen[id] {
			t.Fatalf("id %q", id)
		}
		seen[id] = true
		raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(id)
		if err != nil || len(raw) != 35 || raw[0] != 13<<3 {
			t.Fatalf("id %q: %v", id, err)
		}
		if c := crc16(raw[:33]); raw[33] != byte(c) || raw[34] != byte(c>>8) {
			t.Fatalf("id %q: bad crc", id)
		}
	}
	if crc16([]byte("123456789")) != 0x31C3 { // CRC-16/XMODEM check value
		t.Fatal("crc16 check value")
	}
}

// TestCheckInfo: what nats-server 2.15.2 did with a client's INFO (probed:
// "INFO <json>\r\nPING\r\n" after CONNECT): PONG, or a close without -ERR.
func TestCheckInfo(t *testing.T) {
	for _, tc := range []struct {
		json string
		ok   bool
	}{
		{`{}`, true},
		{` {"port":4222} `, true},
		{`{"unknown":[1,2]}`, true},
		{`{"max_payload":2147483647}`, true},
		{"{bad", false},
		{"\r", false},
		{"", false},
		{`{"port":"x"}`, false},
		{`{"max_payload":2147483648}`, false},  // int32 in nats-server
		{`{"gateway_cmd":256}`, false},         // a byte
		{`{"gateway_cmd_payload":"!"}`, false}, // base64
		{`{"import":{"allow":"x"}}`, false},
		{`{"api_lvl":"1"}`, false},
		{`{"xkey":1}`, false},
		{`[]`, false},
		{`{"gossip_mode":300}`, false},
		{`{"client_id":-1}`, false},
	} {
		if err := CheckInfo([]byte(tc.json)); (err == nil) != tc.ok {
			t.Errorf("%q: %v, want ok %v", tc.json, err, tc.ok)
		}
	}
}
