// Command mkpasswd prints a bcrypt hash for the password or token of a
// natsloop (or nats-server) configuration, like nats-server's
// util/mkpasswd.
//
//	mkpasswd          generate a random password; print it and its hash
//	mkpasswd -p       prompt for a password twice (no echo); print its hash
//	echo pw | mkpasswd -p   read it from a pipe or a file instead: the first
//	                        line (a second line, if any, must repeat it)
//	mkpasswd -c 12    bcrypt cost (default 11, 4 to 31)
//
// Output: "pass: <password>" (generated passwords only) and
// "bcrypt hash: <hash>". The hash goes into the configuration unquoted:
//
//	authorization { user: derek, password: $2a$11$... }
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

const (
	// passwordLength gives about 135 bits of entropy over the alphabet.
	passwordLength = 22
	defaultCost    = 11
	// alphabet is nats-server's mkpasswd alphabet.
	alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@$#%^&*()"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mkpasswd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	prompt := fs.Bool("p", false, "Input password via stdin")
	cost := fs.Int("c", defaultCost, fmt.Sprintf("The cost weight, range of %d-%d", bcrypt.MinCost, bcrypt.MaxCost))
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: mkpasswd [-p <stdin password>] [-c COST] \n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if *cost < bcrypt.MinCost || *cost > bcrypt.MaxCost {
		fmt.Fprintf(stderr, "mkpasswd: cost must be between %d and %d, got %d\n", bcrypt.MinCost, bcrypt.MaxCost, *cost)
		return 2
	}

	password, err := getPassword(*prompt, stdin, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "mkpasswd: %v\n", err)
		return 1
	}
	hash, err := bcrypt.GenerateFromPassword(password, *cost)
	if err != nil {
		fmt.Fprintf(stderr, "mkpasswd: Error producing bcrypt hash: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "bcrypt hash: %s\n", hash)
	return 0
}

// getPassword reads the password (-p) or makes one and prints it.
func getPassword(prompt bool, stdin io.Reader, stdout io.Writer) ([]byte, error) {
	if prompt {
		return readPassword(stdin, stdout)
	}
	p, err := genPassword()
	if err != nil {
		return nil, fmt.Errorf("producing a random password: %w", err)
	}
	fmt.Fprintf(stdout, "pass: %s\n", p)
	return []byte(p), nil
}

// genPassword returns passwordLength characters of alphabet drawn
// uniformly with crypto/rand.
func genPassword() (string, error) {
	b := make([]byte, passwordLength)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b), nil
}

// readPassword reads the password of -p. From a terminal it prompts
// twice with echo off, as nats-server's mkpasswd does. From a pipe or a
// file, which nats-server's tool cannot read (it asks the terminal for
// the password, and a pipe is none), it reads the first line, without
// prompts; a second line, if there is one, must repeat it.
func readPassword(stdin io.Reader, stdout io.Writer) ([]byte, error) {
	f, ok := stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return readPiped(bufio.NewReader(stdin))
	}
	if restore, err := echoOff(f); err == nil {
		defer restore()
	}
	return readTwice(bufio.NewReader(stdin), stdout)
}

// readPiped reads a password from a non-terminal.
func readPiped(r *bufio.Reader) ([]byte, error) {
	p1, err := readLine(r)
	if err != nil {
		return nil, err
	}
	p2, err := readLine(r)
	switch {
	case errors.Is(err, errNoPassword):
		p2 = p1 // one line: nothing to confirm
	case err != nil:
		return nil, err
	}
	return checkPassword(p1, p2)
}

// readTwice prompts for the password and its confirmation.
func readTwice(r *bufio.Reader, stdout io.Writer) ([]byte, error) {
	fmt.Fprint(stdout, "Enter Password: ")
	p1, err := readLine(r)
	if err != nil {
		return nil, err
	}
	fmt.Fprint(stdout, "\nReenter Password: ")
	p2, err := readLine(r)
	if err != nil {
		return nil, err
	}
	fmt.Fprint(stdout, "\n")
	return checkPassword(p1, p2)
}

func checkPassword(p1, p2 []byte) ([]byte, error) {
	if !bytes.Equal(p1, p2) {
		return nil, errors.New("Error, passwords do not match")
	}
	if len(p1) == 0 {
		return nil, errors.New("empty password")
	}
	return p1, nil
}

var errNoPassword = errors.New("no password read")

// readLine reads one line without its "\n" or "\r\n"; the last line may
// lack the newline.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		if errors.Is(err, io.EOF) {
			return nil, errNoPassword
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// echoOff turns the terminal's echo off with stty (golang.org/x/term is
// not a dependency of this module) and returns how to turn it back on.
func echoOff(f *os.File) (restore func(), err error) {
	state, err := stty(f, "-g")
	if err != nil {
		return nil, err
	}
	if _, err := stty(f, "-echo"); err != nil {
		return nil, err
	}
	return func() { stty(f, strings.TrimSpace(state)) }, nil
}

func stty(f *os.File, arg string) (string, error) {
	cmd := exec.Command("stty", arg)
	cmd.Stdin = f
	out, err := cmd.Output()
	return string(out), err
}
