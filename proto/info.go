package proto

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
)

// Info is the INFO a server sends, with nats-server's JSON field names.
type Info struct {
	ServerID     string   `json:"server_id"`
	ServerName   string   `json:"server_name"`
	Version      string   `json:"version"`
	Proto        int      `json:"proto"`
	GitCommit    string   `json:"git_commit,omitempty"`
	Go           string   `json:"go"`
	Host         string   `json:"host"`
	Port         int      `json:"port"`
	Headers      bool     `json:"headers"`
	AuthRequired bool     `json:"auth_required,omitempty"`
	TLSRequired  bool     `json:"tls_required,omitempty"`
	TLSVerify    bool     `json:"tls_verify,omitempty"`
	TLSAvailable bool     `json:"tls_available,omitempty"`
	MaxPayload   int64    `json:"max_payload"`
	JetStream    bool     `json:"jetstream,omitempty"`
	IP           string   `json:"ip,omitempty"`
	ClientID     uint64   `json:"client_id,omitempty"`
	ClientIP     string   `json:"client_ip,omitempty"`
	Nonce        string   `json:"nonce,omitempty"`
	Cluster      string   `json:"cluster,omitempty"`
	Dynamic      bool     `json:"cluster_dynamic,omitempty"`
	ClientURLs   []string `json:"connect_urls,omitempty"`
	LameDuckMode bool     `json:"ldm,omitempty"`
	Compression  string   `json:"compression,omitempty"`
	ConnectInfo  bool     `json:"connect_info,omitempty"` // 2.12+: the INFO that follows the first PONG
	// RemoteAccount is the account the client is bound to (connect_info INFO).
	RemoteAccount string `json:"remote_account,omitempty"`

	// Route specific (read from peers; natsloop leaves the pool fields out
	// of its own route INFO so that 2.10+ peers use one link per peer).
	Import        *SubjectPermission `json:"import,omitempty"`
	Export        *SubjectPermission `json:"export,omitempty"`
	LNOC          bool               `json:"lnoc,omitempty"`
	InfoOnConnect bool               `json:"info_on_connect,omitempty"`
	RoutePoolSize int                `json:"route_pool_size,omitempty"`
	RoutePoolIdx  int                `json:"route_pool_idx,omitempty"`
	RouteAccount  string             `json:"route_account,omitempty"`
	GossipMode    byte               `json:"gossip_mode,omitempty"`
}

// SubjectPermission is the allow/deny pair routes exchange in INFO and
// CONNECT (nats-server's field names).
type SubjectPermission struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// ParseInfo decodes the JSON argument of an INFO.
func ParseInfo(arg []byte) (Info, error) {
	var info Info
	if err := json.Unmarshal(arg, &info); err != nil {
		return info, fmt.Errorf("proto: INFO: %w", err)
	}
	return info, nil
}

// CheckInfo reports whether nats-server would accept arg as the JSON of an
// INFO it reads: it decodes arg into a struct with the JSON names and Go
// types of nats-server 2.15's Info, so that the same documents fail (bad
// JSON, a string for a number, max_payload beyond int32, gateway_cmd
// beyond a byte, …). nats-server closes a client connection whose INFO
// fails this, without an -ERR; one that passes is ignored.
func CheckInfo(arg []byte) error {
	var v struct {
		Info                       // the fields natsloop shares, same names and types
		MaxPayload        int32    `json:"max_payload"` // shallower: replaces Info's int64
		Domain            string   `json:"domain"`
		WSConnectURLs     []string `json:"ws_connect_urls"`
		RemoteAccount     string   `json:"remote_account"`
		IsSystemAccount   bool     `json:"acc_is_sys"`
		JSApiLevel        int      `json:"api_lvl"`
		LNOCU             bool     `json:"lnocu"`
		LN                bool     `json:"ln"`
		RouteAccReqID     string   `json:"route_acc_add_reqid"`
		Gateway           string   `json:"gateway"`
		GatewayURLs       []string `json:"gateway_urls"`
		GatewayURL        string   `json:"gateway_url"`
		GatewayCmd        byte     `json:"gateway_cmd"`
		GatewayCmdPayload []byte   `json:"gateway_cmd_payload"`
		GatewayNRP        bool     `json:"gateway_nrp"`
		GatewayIOM        bool     `json:"gateway_iom"`
		LeafNodeURLs      []string `json:"leafnode_urls"`
		XKey              string   `json:"xkey"`
	}
	if err := json.Unmarshal(arg, &v); err != nil {
		return fmt.Errorf("proto: INFO: %w", err)
	}
	return nil
}

// AppendInfo appends INFO {json} \r\n (the space before CRLF is
// nats-server's).
func AppendInfo(dst []byte, info *Info) []byte {
	b, err := json.Marshal(info)
	if err != nil { // cannot happen for this struct
		b = []byte("{}")
	}
	dst = append(dst, "INFO "...)
	dst = append(dst, b...)
	return append(dst, " \r\n"...)
}

// Connect is what a client sends in CONNECT: nats-server's client options,
// field for field with the same JSON names and types, so that the same
// JSON is accepted or refused by both.
type Connect struct {
	Echo          bool               `json:"echo"`
	Verbose       bool               `json:"verbose"`
	Pedantic      bool               `json:"pedantic"`
	TLSRequired   bool               `json:"tls_required"`
	Nkey          string             `json:"nkey,omitempty"`
	JWT           string             `json:"jwt,omitempty"`
	Sig           string             `json:"sig,omitempty"`
	AuthToken     string             `json:"auth_token,omitempty"`
	User          string             `json:"user,omitempty"`
	Pass          string             `json:"pass,omitempty"`
	Name          string             `json:"name"`
	Lang          string             `json:"lang"`
	Version       string             `json:"version"`
	Protocol      int                `json:"protocol"`
	Account       string             `json:"account,omitempty"`
	NewAccount    bool               `json:"new_account,omitempty"`
	Headers       bool               `json:"headers,omitempty"`
	NoResponders  bool               `json:"no_responders,omitempty"`
	Import        *SubjectPermission `json:"import,omitempty"`
	Export        *SubjectPermission `json:"export,omitempty"`
	RemoteAccount string             `json:"remote_account,omitempty"`
	ProxySig      string             `json:"proxy_sig,omitempty"`
}

// DefaultConnect is a client's options before its first CONNECT:
// nats-server's defaults (verbose, pedantic and echo on).
func DefaultConnect() Connect {
	return Connect{Verbose: true, Pedantic: true, Echo: true}
}

// AppendConnect appends CONNECT {json}\r\n (for clients and soliciting
// routes).
func AppendConnect(dst []byte, c *Connect) []byte {
	b, err := json.Marshal(c)
	if err != nil { // cannot happen for this struct
		b = []byte("{}")
	}
	dst = append(dst, "CONNECT "...)
	dst = append(dst, b...)
	return append(dst, crlf...)
}

// ParseConnect decodes a first CONNECT: DefaultConnect with the JSON's
// fields applied.
func ParseConnect(arg []byte) (Connect, error) {
	c := DefaultConnect()
	err := c.Merge(arg)
	return c, err
}

// Merge applies a CONNECT's JSON over c. As with nats-server, a field the
// JSON leaves out keeps its current value, so a second CONNECT changes
// only what it names. On error c may be partly updated (the connection
// is closed then).
func (c *Connect) Merge(arg []byte) error {
	if len(arg) == 0 {
		return fmt.Errorf("proto: CONNECT without arguments")
	}
	if err := json.Unmarshal(arg, c); err != nil {
		return fmt.Errorf("proto: CONNECT: %w", err)
	}
	return nil
}

// NewServerID returns a new random server id in the exact shape of a server
// public nkey: base32 (no padding) of the server prefix byte, 32 random
// bytes and a CRC-16 (XMODEM, little-endian) over both: 56 characters
// starting with 'N', that nkeys' public-key validation accepts.
func NewServerID() string {
	const prefixServer = 13 << 3 // nkeys' prefix byte for servers: 'N'
	var raw [35]byte
	raw[0] = prefixServer
	if _, err := rand.Read(raw[1:33]); err != nil {
		panic("proto: crypto/rand failed: " + err.Error())
	}
	c := crc16(raw[:33])
	raw[33], raw[34] = byte(c), byte(c>>8)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:])
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0).
func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
