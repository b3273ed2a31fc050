package auth

import (
	"fmt"

	"natsloop/config"
	"natsloop/internal/subject"
)

// Kind is the kind of an export or import.
type Kind uint8

const (
	Stream  Kind = iota + 1 // messages flow from exporter to importer
	Service                 // requests flow from importer to exporter, replies back
)

func (k Kind) String() string {
	switch k {
	case Stream:
		return "stream"
	case Service:
		return "service"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// AccountSpec is one validated account. Immutable.
type AccountSpec struct {
	Name    string
	Exports []*ExportSpec
	Imports []*ImportSpec
}

// ExportSpec offers Subject (may hold wildcards) of the owning account.
type ExportSpec struct {
	Kind         Kind
	Subject      string
	Accounts     []string // nil: public (any account may import)
	ResponseType string   // services: "Singleton", "Stream" or "Chunked"
}

// Allows reports whether account may import this export.
func (e *ExportSpec) Allows(account string) bool {
	if e.Accounts == nil {
		return true
	}
	for _, a := range e.Accounts {
		if a == account {
			return true
		}
	}
	return false
}

// ImportSpec brings Subject of account Account into the owning account,
// where it is seen as Local.
//
//   - Stream: messages published in Account on a subject matching
//     Subject are delivered to the owner's subscribers on ToLocal(subject):
//     Prefix + "." + subject with a prefix, the To pattern with a to
//     (wildcards filled in order), else the subject itself.
//   - Service: messages published in the owning account on a subject
//     matching Local (To, or Subject without one) go to Account's
//     subscribers on ToRemote(subject).
type ImportSpec struct {
	Kind    Kind
	Account string      // the exporting account
	Subject string      // in the exporter's namespace
	Local   string      // in the importer's namespace
	Prefix  string      // streams only
	To      string      // as configured
	Export  *ExportSpec // the export that allows this import

	subject, local []byte // Subject and Local, for mapping without conversions
}

// ToLocal appends to dst the importer's subject for remote, a literal
// subject of the exporter that matches Subject (streams).
func (im *ImportSpec) ToLocal(dst, remote []byte) []byte {
	if im.Prefix != "" {
		dst = append(dst, im.Prefix...)
		dst = append(dst, '.')
		return append(dst, remote...)
	}
	return mapSubject(dst, remote, im.subject, im.local)
}

// ToRemote appends to dst the exporter's subject for local, a literal
// subject of the importer that matches Local (services).
func (im *ImportSpec) ToRemote(dst, local []byte) []byte {
	return mapSubject(dst, local, im.local, im.subject)
}

// compileAccounts validates the accounts block; the result starts with
// $G (no exports or imports).
func compileAccounts(accts []*config.Account) ([]*AccountSpec, error) {
	out := []*AccountSpec{{Name: GlobalAccount}}
	byName := map[string]*AccountSpec{GlobalAccount: out[0]}
	for _, ac := range accts {
		if ac == nil {
			continue
		}
		if ac.Name == "" {
			return nil, fmt.Errorf("auth: an account has no name")
		}
		if byName[ac.Name] != nil {
			if ac.Name == GlobalAccount {
				return nil, fmt.Errorf("auth: account %q: reserved name", ac.Name)
			}
			return nil, fmt.Errorf("auth: account %q: defined twice", ac.Name)
		}
		s := &AccountSpec{Name: ac.Name}
		for _, e := range ac.Exports {
			es, err := compileExport(e)
			if err != nil {
				return nil, fmt.Errorf("auth: account %q: %v", ac.Name, err)
			}
			s.Exports = append(s.Exports, es)
		}
		byName[ac.Name] = s
		out = append(out, s)
	}
	for _, s := range out[1:] {
		for _, e := range s.Exports {
			for _, n := range e.Accounts {
				if byName[n] == nil {
					return nil, fmt.Errorf("auth: account %q: %s export %q names unknown account %q", s.Name, e.Kind, e.Subject, n)
				}
			}
		}
	}
	for _, ac := range accts {
		if ac == nil {
			continue
		}
		s := byName[ac.Name]
		for _, im := range ac.Imports {
			is, err := compileImport(s.Name, im, byName)
			if err != nil {
				return nil, fmt.Errorf("auth: account %q: %v", s.Name, err)
			}
			s.Imports = append(s.Imports, is)
		}
	}
	return out, nil
}

func compileExport(e config.Export) (*ExportSpec, error) {
	es := &ExportSpec{Accounts: e.Accounts}
	switch {
	case e.Stream != "" && e.Service != "":
		return nil, fmt.Errorf("export cannot be both a stream and a service")
	case e.Stream != "":
		es.Kind, es.Subject = Stream, e.Stream
		if e.ResponseType != "" {
			return nil, fmt.Errorf("stream export %q: response type is for services", e.Stream)
		}
	case e.Service != "":
		es.Kind, es.Subject = Service, e.Service
		es.ResponseType = e.ResponseType
		if es.ResponseType == "" {
			es.ResponseType = "Singleton"
		}
	default:
		return nil, fmt.Errorf("export needs a stream or a service subject")
	}
	if !subject.ValidSubject([]byte(es.Subject)) {
		return nil, fmt.Errorf("%s export: invalid subject %q", es.Kind, es.Subject)
	}
	return es, nil
}

func compileImport(owner string, im config.Import, byName map[string]*AccountSpec) (*ImportSpec, error) {
	is := &ImportSpec{Prefix: im.Prefix, To: im.To}
	var src *config.ImportSource
	switch {
	case im.Stream != nil && im.Service != nil:
		return nil, fmt.Errorf("import cannot be both a stream and a service")
	case im.Stream != nil:
		is.Kind, src = Stream, im.Stream
	case im.Service != nil:
		is.Kind, src = Service, im.Service
		if im.Prefix != "" {
			return nil, fmt.Errorf("service import of %q: prefix is only for stream imports", im.Service.Subject)
		}
	default:
		return nil, fmt.Errorf("import needs a stream or a service")
	}
	is.Account, is.Subject = src.Account, src.Subject
	if !subject.ValidSubject([]byte(is.Subject)) {
		return nil, fmt.Errorf("%s import: invalid subject %q", is.Kind, is.Subject)
	}
	from := byName[is.Account]
	if from == nil {
		return nil, fmt.Errorf("%s import of %q: unknown account %q", is.Kind, is.Subject, is.Account)
	}
	switch {
	case is.Prefix != "" && is.To != "":
		return nil, fmt.Errorf("stream import of %q: cannot have both a prefix and a to", is.Subject)
	case is.Prefix != "":
		if !subject.ValidLiteral([]byte(is.Prefix)) {
			return nil, fmt.Errorf("stream import of %q: invalid prefix %q", is.Subject, is.Prefix)
		}
		is.Local = is.Prefix + "." + is.Subject
	case is.To != "":
		if !subject.ValidSubject([]byte(is.To)) {
			return nil, fmt.Errorf("%s import of %q: invalid to %q", is.Kind, is.Subject, is.To)
		}
		is.Local = is.To
		// The side that is computed from the other must not have
		// wildcards the other cannot fill.
		target, source := is.Local, is.Subject
		if is.Kind == Service {
			target, source = is.Subject, is.Local
		}
		if !canMap([]byte(source), []byte(target)) {
			return nil, fmt.Errorf("%s import of %q: to %q does not have the same wildcards", is.Kind, is.Subject, is.To)
		}
	default:
		is.Local = is.Subject
	}
	denied := false
	for _, e := range from.Exports {
		if e.Kind != is.Kind || !isSubset([]byte(is.Subject), []byte(e.Subject)) {
			continue
		}
		if !e.Allows(owner) {
			denied = true
			continue
		}
		is.Export = e
		is.subject, is.local = []byte(is.Subject), []byte(is.Local)
		return is, nil
	}
	if denied {
		return nil, fmt.Errorf("%s import of %q from account %q: not authorized (the export does not list %q)", is.Kind, is.Subject, is.Account, owner)
	}
	return nil, fmt.Errorf("%s import of %q: account %q has no matching %s export", is.Kind, is.Subject, is.Account, is.Kind)
}
