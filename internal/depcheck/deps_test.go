package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// allowed lists, per package (by path prefix below the module), the
// natsloop packages and third-party modules it may depend on. The standard
// library is always allowed.
var allowed = map[string][]string{
	"proto":            {},
	"internal/subject": {},
	"internal/logging": {},
	"config":           {"github.com/nats-io/nats-server/v2/conf"},
	"auth":             {"config", "internal/subject", "golang.org/x/crypto", "github.com/nats-io/nkeys"},
	"tlsbridge":        {"config", "github.com/klauspost/cpuid"},
	"loop":             {"tlsbridge", "github.com/panjf2000/gnet", "config", "github.com/klauspost/cpuid", "github.com/panjf2000/ants", "github.com/valyala/bytebufferpool", "go.uber.org", "golang.org/x/sys", "gopkg.in/natefinch/lumberjack.v2"},
	"cluster":          {"proto", "internal/subject", "config", "auth", "golang.org/x/crypto", "github.com/nats-io/nkeys", "github.com/nats-io/nats-server/v2/conf"},
	"perf":             {"proto", "github.com/nats-io/nats.go", "github.com/nats-io/nkeys", "github.com/nats-io/nuid", "github.com/klauspost/compress", "golang.org/x/crypto", "golang.org/x/sys"},
}

const module = "natsloop"

func TestImportsPointDownward(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Deps " "}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, ":")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		rules, ok := rulesFor(rel)
		if !ok {
			continue // broker, monitor, cmd/* may import everything below them
		}
		for _, d := range strings.Fields(deps) {
			if isStd(d) || d == pkg {
				continue
			}
			if !permitted(d, rel, rules) {
				t.Errorf("%s imports %s, which DESIGN.md does not allow", pkg, d)
			}
		}
	}
}

func rulesFor(rel string) ([]string, bool) {
	for p, r := range allowed {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return r, true
		}
	}
	return nil, false
}

func permitted(dep, rel string, rules []string) bool {
	if dep == module+"/"+rel || strings.HasPrefix(dep, module+"/"+rel+"/") {
		return true
	}
	for _, r := range rules {
		if strings.Contains(r, ".") { // a third-party module path
			if strings.HasPrefix(dep, r) {
				return true
			}
			continue
		}
		if dep == module+"/"+r || strings.HasPrefix(dep, module+"/"+r+"/") {
			return true
		}
	}
	return false
}

// isStd reports whether an import path is in the standard library (no dot
// in its first element, and not this module).
func isStd(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".") && first != module
}
