package broker

import "natsloop/internal/subject"

// globalAccount is the name of the default account, as in nats-server.
const globalAccount = "$G"

// account is an isolated subject space: messages never cross accounts
// (until exports and imports exist).
type account struct {
	name string                        // immutable
	sl   *subject.Index[*subscription] // safe for concurrent use
}

func newAccount(name string) *account {
	return &account{name: name, sl: subject.NewIndex[*subscription]()}
}
