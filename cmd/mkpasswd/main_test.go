package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"natsloop/auth"
	"natsloop/config"
)

func mkpasswd(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func field(t *testing.T, out, prefix string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			return v
		}
	}
	t.Fatalf("no %q line in %q", prefix, out)
	return ""
}

func TestGenerated(t *testing.T) {
	out, errs, code := mkpasswd(t, "", "-c", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	pass, hash := field(t, out, "pass: "), field(t, out, "bcrypt hash: ")
	if len(pass) != passwordLength || strings.Trim(pass, alphabet) != "" {
		t.Fatalf("password %q", pass)
	}
	if !strings.HasPrefix(hash, "$2a$05$") {
		t.Fatalf("hash %q", hash)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pass)); err != nil {
		t.Fatalf("printed hash does not verify the printed password: %v", err)
	}
	out2, _, _ := mkpasswd(t, "", "-c", "4")
	if field(t, out2, "pass: ") == pass {
		t.Fatal("same password twice")
	}
}

func TestDefaultCost(t *testing.T) {
	out, _, code := mkpasswd(t, "")
	if code != 0 || !strings.HasPrefix(field(t, out, "bcrypt hash: "), "$2a$11$") {
		t.Fatalf("default cost: %q", out)
	}
}

// TestPiped: -p reads a password from a non-terminal: one line, or two
// equal lines, without prompts on stdout.
func TestPiped(t *testing.T) {
	for _, in := range []string{"s3cret pw\n", "s3cret pw", "s3cret pw\ns3cret pw\n", "s3cret pw\r\ns3cret pw"} {
		out, errs, code := mkpasswd(t, in, "-p", "-c", "4")
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", in, code, errs)
		}
		if !strings.HasPrefix(out, "bcrypt hash: ") || strings.Count(out, "\n") != 1 {
			t.Fatalf("%q: stdout %q, want the hash line alone", in, out)
		}
		if err := bcrypt.CompareHashAndPassword([]byte(field(t, out, "bcrypt hash: ")), []byte("s3cret pw")); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
	}
}

// TestPrompts: on a terminal, nats-server's prompts, twice.
func TestPrompts(t *testing.T) {
	var out bytes.Buffer
	p, err := readTwice(bufio.NewReader(strings.NewReader("abc\nabc\n")), &out)
	if err != nil || string(p) != "abc" || out.String() != "Enter Password: \nReenter Password: \n" {
		t.Fatalf("%q %v, prompts %q", p, err, out.String())
	}
	if _, err := readTwice(bufio.NewReader(strings.NewReader("abc\nabd\n")), &out); err == nil {
		t.Fatal("different passwords accepted")
	}
}

func TestPromptErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"one\ntwo\n", "passwords do not match"},
		{"", "no password read"},
		{"\n", "empty password"},
	} {
		out, errs, code := mkpasswd(t, c.in, "-p", "-c", "4")
		if code == 0 || !strings.Contains(errs, c.want) || strings.Contains(out, "bcrypt hash") {
			t.Errorf("%q: exit %d, stderr %q, stdout %q", c.in, code, errs, out)
		}
	}
	for _, args := range [][]string{{"-c", "3"}, {"-c", "32"}, {"-x"}, {"extra"}} {
		if _, _, code := mkpasswd(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// What mkpasswd prints works in a configuration as nats-server documents
// it: the unquoted hash in an authorization block.
func TestHashInConfig(t *testing.T) {
	out, _, code := mkpasswd(t, "", "-c", "4")
	if code != 0 {
		t.Fatal(out)
	}
	pass, hash := field(t, out, "pass: "), field(t, out, "bcrypt hash: ")
	path := filepath.Join(t.TempDir(), "s.conf")
	conf := "authorization {\n  user: derek\n  password: " + hash + "\n  timeout: 1\n}\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	o, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if o.Authorization.Password != hash {
		t.Fatalf("config read the hash as %q", o.Authorization.Password)
	}
	a, err := auth.New(o)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if id, err := a.Check(auth.Credentials{User: "derek", Pass: pass}); err != nil || id.User != "derek" {
		t.Fatalf("derek with the printed password: %v", err)
	}
	if _, err := a.Check(auth.Credentials{User: "derek", Pass: pass + "x"}); err == nil {
		t.Fatal("wrong password accepted")
	}
}

// stdin as a pipe (*os.File that is not a terminal): no stty, plain read.
func TestPromptFromPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString("piped\npiped\n")
		w.Close()
	}()
	defer r.Close()
	if isTerminal(r) {
		t.Fatal("a pipe is not a terminal")
	}
	var out, errb bytes.Buffer
	if code := run([]string{"-p", "-c", "4"}, r, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if err := bcrypt.CompareHashAndPassword([]byte(field(t, out.String(), "bcrypt hash: ")), []byte("piped")); err != nil {
		t.Fatal(err)
	}
}

// TestPipeToBinary: `echo pw | mkpasswd -p`, the built command with a
// real pipe as stdin.
func TestPipeToBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "mkpasswd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-p", "-c", "4")
	cmd.Stdin = strings.NewReader("from a pipe\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(field(t, string(out), "bcrypt hash: ")), []byte("from a pipe")); err != nil {
		t.Fatal(err)
	}
}
