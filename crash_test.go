package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"firmline/modem/pdu"
	"firmline/modem/sim"
	"firmline/store"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// firmlineBinary builds the firmline binary once per test run, the way packaging does.
func firmlineBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "firmline-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "firmline")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// child is a running `firmline serve` process; done is closed when it has exited.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func (c *child) signal(sig os.Signal) { c.cmd.Process.Signal(sig) }

// wait waits for the process to exit; the deadline is a safety net for a hung test.
func (c *child) wait(t testing.TB) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		t.Fatal("serve did not exit within 30 s")
	}
}

// serveProcess starts `firmline serve` as a child process on the simulated modem.
func serveProcess(t testing.TB, bin, dataDir, modemPath string) *child {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", dataDir, "--tls", "off", "--listen", "127.0.0.1:0",
		"--modem", modemPath, "--config", os.DevNull, "--concat-wait", "1s")
	cmd.Env = append(os.Environ(), "FIRMLINE_LOG_LEVEL=warn")
	logf, err := os.OpenFile(filepath.Join(dataDir, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(c.done) }()
	return c
}

// TestCrashLosesNothing kills `serve` with SIGKILL at random moments while a burst of 200
// messages arrives, restarts it each time, and proves that every message is stored exactly
// once and the SIM ends empty.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real serve process")
	}
	bin := firmlineBinary(t)
	dir := t.TempDir()
	s, err := sim.Start(sim.Options{Profile: sim.Profile("quectel-ec25"), Dir: dir, Slots: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "serve.log"))
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			t.Logf("serve.log (tail):\n%s\nSIM holds %d, SMSC holds %d", b, len(s.Stored()), s.Pending())
		}
	})
	const total = 200
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	var all []string
	for i := range total {
		text := fmt.Sprintf("Your Clio verification code is %06d. Message %d of the burst.", 100000+i, i)
		pdus, err := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: "+12065550143", Text: text,
			SentAt: time.Date(2026, 11, 23, 9, 0, i%60, 0, time.UTC).Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, pdus...)
	}
	next, kills := 0, 0
	for next < len(all) {
		cmd := serveProcess(t, bin, dir, s.Path())
		burst := 5 + rng.IntN(30)
		for i := 0; i < burst && next < len(all); i++ {
			s.Deliver(all[next])
			next++
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond) // a random moment, not a timing assertion
		cmd.signal(syscall.SIGKILL)
		cmd.wait(t)
		kills++
	}
	// The last start runs until the SIM and the simulated network are drained.
	cmd := serveProcess(t, bin, dir, s.Path())
	waitFor(t, "SIM drained", func() bool { return len(s.Stored()) == 0 && s.Pending() == 0 })
	cmd.signal(syscall.SIGTERM)
	cmd.wait(t)

	st, err := store.Open(filepath.Join(dir, dbName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seen := map[string]int{}
	codeRE := regexp.MustCompile(`Message (\d+) of the burst`)
	before := ""
	for {
		msgs, nextID, err := st.Messages(store.Query{Limit: 500, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if sm := codeRE.FindStringSubmatch(m.Text); sm != nil {
				seen[sm[1]]++
			} else {
				t.Errorf("unexpected message %q", m.Text)
			}
		}
		if nextID == "" {
			break
		}
		before = nextID
	}
	for i := range total {
		if n := seen[fmt.Sprint(i)]; n != 1 {
			t.Errorf("message %d stored %d times, want exactly once", i, n)
		}
	}
	t.Logf("%d messages survived %d SIGKILLs, each stored exactly once", total, kills)
}
