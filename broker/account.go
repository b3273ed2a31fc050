package broker

import (
	"fmt"
	"sync"
	"sync/atomic"

	"natsloop/auth"
	"natsloop/internal/subject"
	"natsloop/proto"
)

// globalAccount is the name of the default account, as in nats-server.
const globalAccount = auth.GlobalAccount

// maxResponses bounds the pending service replies one account tracks.
const maxResponses = 100000

// account is an isolated subject space: messages cross accounts only
// through an export and a matching import.
type account struct {
	name string                        // immutable
	sl   *subject.Index[*subscription] // safe for concurrent use

	// Immutable after buildAccounts.
	streams  []importRoute // this account's stream exports that others import
	services []importRoute // this account's service imports

	respMu    sync.Mutex          // guards responses
	responses map[string]*account // reply subject -> importer awaiting it
	nresp     atomic.Int32        // len(responses), read without the lock
}

// importRoute is one import wired between two accounts. pattern is what
// a message's subject must match in the account holding the route.
type importRoute struct {
	im      *auth.ImportSpec
	to      *account
	pattern []byte
}

func newAccount(name string) *account {
	return &account{name: name, sl: subject.NewIndex[*subscription]()}
}

// buildAccounts creates every configured account ($G always) and wires
// their imports.
func (s *Server) buildAccounts(specs []*auth.AccountSpec) error {
	s.accounts = map[string]*account{globalAccount: newAccount(globalAccount)}
	for _, sp := range specs {
		if s.accounts[sp.Name] == nil {
			s.accounts[sp.Name] = newAccount(sp.Name)
		}
	}
	for _, sp := range specs {
		importer := s.accounts[sp.Name]
		for _, im := range sp.Imports {
			exporter := s.accounts[im.Account]
			if exporter == nil {
				return fmt.Errorf("broker: account %q imports from unknown account %q", sp.Name, im.Account)
			}
			switch im.Kind {
			case auth.Stream:
				exporter.streams = append(exporter.streams, importRoute{im: im, to: importer, pattern: []byte(im.Subject)})
			case auth.Service:
				importer.services = append(importer.services, importRoute{im: im, to: exporter, pattern: []byte(im.Local)})
			}
		}
	}
	return nil
}

// expectResponse notes that a request forwarded into acc (a service
// export) wants its reply delivered back into from.
func (acc *account) expectResponse(reply []byte, from *account) {
	acc.respMu.Lock()
	if acc.responses == nil || len(acc.responses) >= maxResponses {
		acc.responses = make(map[string]*account)
	}
	acc.responses[string(reply)] = from
	acc.nresp.Store(int32(len(acc.responses)))
	acc.respMu.Unlock()
}

// takeResponse returns (and forgets) the importer waiting for subj.
func (acc *account) takeResponse(subj []byte) *account {
	acc.respMu.Lock()
	to := acc.responses[string(subj)]
	if to != nil {
		delete(acc.responses, string(subj))
		acc.nresp.Store(int32(len(acc.responses)))
	}
	acc.respMu.Unlock()
	return to
}

// deliverImports carries a message published in c's account across its
// imports: stream exports others import, this account's service imports,
// and replies to requests that came in through a service import. One hop
// only: what crosses is delivered locally in the other account.
func (c *client) deliverImports(op *proto.Op) bool {
	acc := c.grant.acc
	delivered := false
	for i := range acc.streams {
		r := &acc.streams[i]
		if subject.Matches(op.Subject, r.pattern) {
			c.mapBuf = r.im.ToLocal(c.mapBuf[:0], op.Subject)
			delivered = c.deliverAll(r.to, c.mapBuf, op.Reply, op) || delivered
		}
	}
	for i := range acc.services {
		r := &acc.services[i]
		if subject.Matches(op.Subject, r.pattern) {
			if len(op.Reply) > 0 {
				r.to.expectResponse(op.Reply, acc)
			}
			c.mapBuf = r.im.ToRemote(c.mapBuf[:0], op.Subject)
			delivered = c.deliverAll(r.to, c.mapBuf, op.Reply, op) || delivered
		}
	}
	if acc.nresp.Load() > 0 {
		if to := acc.takeResponse(op.Subject); to != nil {
			delivered = c.deliverAll(to, op.Subject, op.Reply, op) || delivered
		}
	}
	return delivered
}
