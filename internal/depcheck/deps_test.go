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
	"proto":             {},
	"internal/subject":  {},
	"internal/logging":  {},
	"internal/testcert": {},
	"config":            {"github.com/nats-io/nats-server/v2/conf"},
	"auth":              {"config", "internal/subject", "golang.org/x/crypto", "github.com/nats-io/nkeys"},
	"tlsbridge":         {"config", "github.com/klauspost/cpuid"},
	"loop":              {"tlsbridge", "config", "github.com/panjf2000/gnet/v2"},
	"cluster":           {"proto", "internal/subject", "config", "auth"},
	"perf":              {"proto", "internal/testcert", "github.com/nats-io/nats.go"},
}

const module = "natsloop"

func TestImportsPointDownward(t *testing.T) {
	// natsloop packages are checked over all dependencies (layering);
	// third-party modules over direct imports (what the package chose).
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Deps " "}}:{{join .Imports " "}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, rest, _ := strings.Cut(line, ":")
		deps, imports, _ := strings.Cut(rest, ":")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		rules, ok := rulesFor(rel)
		if !ok {
			continue // broker, monitor, cmd/* may import everything below them
		}
		var check []string
		for _, d := range strings.Fields(deps) {
			if strings.HasPrefix(d, module+"/") {
				check = append(check, d)
			}
		}
		for _, d := range strings.Fields(imports) {
			if !strings.HasPrefix(d, module+"/") {
				check = append(check, d)
			}
		}
		for _, d := range check {
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
