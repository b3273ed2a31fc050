package proto

import (
	"crypto/rand"
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

// Connect is what a client or route sends in CONNECT.
type Connect struct {
	Verbose      bool   `json:"verbose"`
	Pedantic     bool   `json:"pedantic"`
	TLSRequired  bool   `json:"tls_required"`
	AuthToken    string `json:"auth_token,omitempty"`
	User         string `json:"user,omitempty"`
	Pass         string `json:"pass,omitempty"`
	Name         string `json:"name,omitempty"`
	Lang         string `json:"lang,omitempty"`
	Version      string `json:"version,omitempty"`
	Protocol     int    `json:"protocol"`
	Echo         bool   `json:"echo"`
	Headers      bool   `json:"headers,omitempty"`
	NoResponders bool   `json:"no_responders,omitempty"`
	Nkey         string `json:"nkey,omitempty"`
	Sig          string `json:"sig,omitempty"`
	JWT          string `json:"jwt,omitempty"`
	Cluster      string `json:"cluster,omitempty"`
	Dynamic      bool   `json:"cluster_dynamic,omitempty"`
}

// ParseConnect decodes a CONNECT payload. nats-server's defaults apply to
// fields the JSON leaves out: verbose, pedantic and echo are true.
func ParseConnect(arg []byte) (Connect, error) {
	c := Connect{Verbose: true, Pedantic: true, Echo: true}
	if len(arg) == 0 {
		return c, fmt.Errorf("proto: CONNECT without arguments")
	}
	if err := json.Unmarshal(arg, &c); err != nil {
		return c, fmt.Errorf("proto: CONNECT: %w", err)
	}
	return c, nil
}

// NewServerID returns a 56-character server id in the shape of a server
// nkey: 'N' followed by 55 characters of the base32 alphabet.
func NewServerID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var raw [55]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("proto: crypto/rand failed: " + err.Error())
	}
	id := make([]byte, 56)
	id[0] = 'N'
	for i, b := range raw {
		id[i+1] = alphabet[b&31]
	}
	return string(id)
}
