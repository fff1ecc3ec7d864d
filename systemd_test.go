package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"firmline/modem/sim"
)

// notifySocket is a real unixgram socket standing in for systemd's notification socket.
type notifySocket struct {
	t    *testing.T
	path string
	conn *net.UnixConn
}

func newNotifySocket(t *testing.T) *notifySocket {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen on notify socket: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &notifySocket{t: t, path: path, conn: conn}
}

// next returns the next datagram, or ok=false when none arrives within wait. The wait is a
// safety net for reading a real socket, not a timing assertion.
func (s *notifySocket) next(wait time.Duration) (msg string, ok bool) {
	s.t.Helper()
	buf := make([]byte, 4096)
	if err := s.conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		s.t.Fatal(err)
	}
	n, err := s.conn.Read(buf)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "", false
	}
	if err != nil {
		s.t.Fatalf("read notify socket: %v", err)
	}
	return string(buf[:n]), true
}

// drainUntil reads and discards notifications until done delivers, so a sender blocked on a
// full socket queue can see its cancellation.
func (s *notifySocket) drainUntil(done <-chan error) {
	s.t.Helper()
	for {
		select {
		case err := <-done:
			if err != nil {
				s.t.Errorf("Watchdog = %v, want nil", err)
			}
			return
		default:
			s.next(10 * time.Millisecond)
		}
	}
}

// must returns the next datagram and fails the test when none arrives.
func (s *notifySocket) must() string {
	s.t.Helper()
	msg, ok := s.next(10 * time.Second)
	if !ok {
		s.t.Fatal("no notification arrived")
	}
	return msg
}

// skipUnlessRequired skips a test whose tool is missing, or fails it when CI requires the
// packaging suites (FIRMLINE_REQUIRE_PACKAGING, set by .ci/run).
func skipUnlessRequired(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("FIRMLINE_REQUIRE_PACKAGING") != "" {
		t.Fatalf("required: %s", why)
	}
	t.Skip(why)
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestNotifierSendsStates(t *testing.T) {
	sock := newNotifySocket(t)
	n := newNotifier(envOf(map[string]string{"NOTIFY_SOCKET": sock.path}), testLogger(t))

	n.Ready()
	n.Status("modem ready, signal 4/5,\n12 codes today")
	n.Stopping()

	for _, want := range []string{
		"READY=1",
		"STATUS=modem ready, signal 4/5, 12 codes today",
		"STOPPING=1",
	} {
		if got := sock.must(); got != want {
			t.Errorf("notification = %q, want %q", got, want)
		}
	}
}

func TestNotifierOffWithoutSocket(t *testing.T) {
	n := newNotifier(envOf(map[string]string{"WATCHDOG_USEC": "20000"}), testLogger(t))
	n.Ready()
	n.Status("x")
	n.Stopping()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	called := false
	if err := n.Watchdog(ctx, func() error { called = true; return nil }); err != nil {
		t.Fatalf("Watchdog = %v, want nil", err)
	}
	if called {
		t.Error("Watchdog ran the health check although the watchdog is off")
	}
}

func TestNotifierSendFailureIsNotFatal(t *testing.T) {
	var logs bytes.Buffer
	missing := filepath.Join(t.TempDir(), "gone.sock")
	n := newNotifier(envOf(map[string]string{"NOTIFY_SOCKET": missing}), slog.New(slog.NewTextHandler(&logs, nil)))
	n.Ready()
	if !strings.Contains(logs.String(), "systemd notification failed") {
		t.Errorf("a failed send was not logged; log:\n%s", logs.String())
	}
}

func TestWatchdogPeriod(t *testing.T) {
	pid := os.Getpid()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want time.Duration
	}{
		{"unset", map[string]string{}, 0},
		{"half of usec", map[string]string{"WATCHDOG_USEC": "60000000"}, 30 * time.Second},
		{"our pid", map[string]string{"WATCHDOG_USEC": "20000", "WATCHDOG_PID": strconv.Itoa(pid)}, 10 * time.Millisecond},
		{"other pid", map[string]string{"WATCHDOG_USEC": "20000", "WATCHDOG_PID": strconv.Itoa(pid + 1)}, 0},
		{"bad pid", map[string]string{"WATCHDOG_USEC": "20000", "WATCHDOG_PID": "x"}, 0},
		{"bad usec", map[string]string{"WATCHDOG_USEC": "soon"}, 0},
		{"zero usec", map[string]string{"WATCHDOG_USEC": "0"}, 0},
		{"negative usec", map[string]string{"WATCHDOG_USEC": "-5"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := watchdogPeriod(envOf(tc.env), pid, testLogger(t)); got != tc.want {
				t.Errorf("watchdogPeriod = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWatchdogStopsWhenUnhealthy: pings arrive while healthy() passes; once it fails, none
// follow. healthy() reports each call's number on entry; when call k+1 has begun, every ping
// decided by calls 1..k has already been written (sends are synchronous), so the socket
// holds exactly the pings of the healthy calls.
func TestWatchdogStopsWhenUnhealthy(t *testing.T) {
	sock := newNotifySocket(t)
	var logs bytes.Buffer
	n := newNotifier(envOf(map[string]string{
		"NOTIFY_SOCKET": sock.path,
		"WATCHDOG_USEC": "20000", // 20 ms: pings every 10 ms
		"WATCHDOG_PID":  strconv.Itoa(os.Getpid()),
	}), slog.New(slog.NewTextHandler(&logs, nil)))

	const healthyCalls, lastObserved = 3, 7
	calls := make(chan int)
	ctx, cancel := context.WithCancel(t.Context())
	call := 0
	healthy := func() error {
		call++
		select {
		case calls <- call:
		case <-ctx.Done():
		}
		if call <= healthyCalls {
			return nil
		}
		return errors.New("modem loop stalled")
	}
	done := make(chan error, 1)
	go func() { done <- n.Watchdog(ctx, healthy) }()

	for c := range calls {
		if c == lastObserved {
			break
		}
	}
	for i := range healthyCalls {
		if got := sock.must(); got != "WATCHDOG=1" {
			t.Fatalf("ping %d = %q, want WATCHDOG=1", i+1, got)
		}
	}
	// Calls 4..6 failed and their decisions are complete: nothing may be queued behind the pings.
	if msg, ok := sock.next(200 * time.Millisecond); ok {
		t.Errorf("got %q after the health check failed, want no ping", msg)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watchdog = %v, want nil", err)
	}
	if got := strings.Count(logs.String(), "no longer feeding"); got != 1 {
		t.Errorf("failure logged %d times, want once; log:\n%s", got, logs.String())
	}
}

// TestWatchdogResumesAfterRecovery: a transient failure stops the pings; when healthy()
// passes again before systemd acts, the pings resume.
func TestWatchdogResumesAfterRecovery(t *testing.T) {
	sock := newNotifySocket(t)
	n := newNotifier(envOf(map[string]string{"NOTIFY_SOCKET": sock.path, "WATCHDOG_USEC": "20000"}), testLogger(t))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	call := 0
	recovered := make(chan struct{})
	healthy := func() error {
		call++
		switch {
		case call == 1:
			return errors.New("stalled")
		case call == 2:
			close(recovered)
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- n.Watchdog(ctx, healthy) }()
	<-recovered
	if got := sock.must(); got != "WATCHDOG=1" {
		t.Fatalf("after recovery got %q, want WATCHDOG=1", got)
	}
	cancel()
	sock.drainUntil(done)
}

func TestSystemdListenerAbsent(t *testing.T) {
	t.Setenv("LISTEN_PID", "")
	t.Setenv("LISTEN_FDS", "")
	l, err := systemdListener()
	if l != nil || err != nil {
		t.Fatalf("systemdListener() = %v, %v; want nil, nil when not socket-activated", l, err)
	}
}

// TestSystemdListenerActivated runs this test binary as a socket-activated child: the listener
// is passed as fd 3 and LISTEN_PID is set to the child's own pid by a shell that then execs it,
// as systemd does. The child accepts one connection on the listener it was given.
func TestSystemdListenerActivated(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		skipUnlessRequired(t, "no sh to set LISTEN_PID to the child's pid")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	cmd := exec.Command("sh", "-c", `LISTEN_PID=$$ exec "$0" "$@"`,
		os.Args[0], "-test.run=^TestSystemdListenerChild$", "-test.v")
	cmd.Env = append(os.Environ(), "FIRMLINE_TEST_LISTENER_CHILD=1", "LISTEN_FDS=1")
	cmd.ExtraFiles = []*os.File{f}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("read from child: %v (child output:\n%s)", err, out.String())
	}
	if line != "accepted by activated listener\n" {
		t.Errorf("child said %q", line)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v\n%s", err, out.String())
	}
}

// TestSystemdListenerChild is the child half of TestSystemdListenerActivated.
func TestSystemdListenerChild(t *testing.T) {
	if os.Getenv("FIRMLINE_TEST_LISTENER_CHILD") != "1" {
		t.Skip("child half of TestSystemdListenerActivated")
	}
	l, err := systemdListener()
	if err != nil || l == nil {
		t.Fatalf("systemdListener() = %v, %v; want a listener", l, err)
	}
	defer l.Close()
	if os.Getenv("LISTEN_FDS") != "" {
		t.Error("LISTEN_FDS still set; children would inherit it")
	}
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("accepted by activated listener\n")); err != nil {
		t.Fatal(err)
	}
}

// TestConfigSampleListsEverySetting: packaging/firmline.conf, installed as
// /etc/firmline/firmline.conf, names every serve setting (and every secret's -file form) at
// its default, commented out; uncommented, it loads and gives exactly the defaults.
func TestConfigSampleListsEverySetting(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join("packaging", "firmline.conf"))
	if err != nil {
		t.Fatal(err)
	}
	inSample := map[string]bool{}
	var uncommented strings.Builder
	for _, line := range strings.Split(string(sample), "\n") {
		name, _, ok := strings.Cut(strings.TrimPrefix(line, "#"), " =")
		if !strings.HasPrefix(line, "#") || !ok || strings.ContainsAny(name, " \t") || name == "" {
			continue
		}
		inSample[name] = true
		uncommented.WriteString(line[1:] + "\n")
	}
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.name] = true
		if s.secret {
			known[s.name+"-file"] = true
		}
	}
	for name := range known {
		if !inSample[name] {
			t.Errorf("packaging/firmline.conf lacks the setting %q", name)
		}
	}
	for name := range inSample {
		if !known[name] {
			t.Errorf("packaging/firmline.conf names %q, which is not a serve setting", name)
		}
	}

	path := filepath.Join(t.TempDir(), "firmline.conf")
	if err := os.WriteFile(path, []byte(uncommented.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _, err := loadConfig("serve", []string{"--config", path}, envOf(nil), io.Discard)
	if err != nil {
		t.Fatalf("the uncommented sample does not load: %v", err)
	}
	want := defaultConfig()
	want.ConfigFile = path
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the sample's values are not the defaults:\n got %+v\nwant %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("the sample's values do not validate: %v", err)
	}
}

// TestServeBinaryUnderSystemd runs the built binary as systemd would: under a notify socket
// with WATCHDOG_USEC and WATCHDOG_PID (set to the child's own pid by a shell that execs it),
// on a simulated modem. It checks READY=1, a STATUS= line and watchdog pings; that a hung
// process (SIGSTOP) sends no pings, so systemd would restart it, and that they resume on
// SIGCONT; and STOPPING=1 with exit status 0 on SIGTERM. That pings stop while the process
// runs but fails its health check is TestWatchdogStopsWhenUnhealthy.
func TestServeBinaryUnderSystemd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		skipUnlessRequired(t, "no go tool to build the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "firmline")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	modemSim, err := sim.Start(sim.Options{Profile: sim.QuectelEC25, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("simulated modem: %v", err)
	}
	defer modemSim.Close()
	conf := filepath.Join(dir, "firmline.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := newNotifySocket(t)
	logFile, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	serveLog := func() string { b, _ := os.ReadFile(logFile.Name()); return string(b) }

	cmd := exec.Command("sh", "-c", `WATCHDOG_PID=$$ exec "$0" "$@"`, bin, "serve",
		"--config", conf, "--tls", "off", "--listen", "127.0.0.1:0",
		"--data", filepath.Join(dir, "data"), "--modem", modemSim.Path())
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"NOTIFY_SOCKET=" + sock.path,
		"WATCHDOG_USEC=200000", // pings every 100 ms
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()

	// Start-up: READY=1, a STATUS= line, and pings after READY.
	var ready, status bool
	pingsAfterReady := 0
	for !ready || !status || pingsAfterReady < 3 {
		msg, ok := sock.next(60 * time.Second)
		if !ok {
			t.Fatalf("after READY=%v STATUS=%v pings=%d nothing more arrived; serve log:\n%s", ready, status, pingsAfterReady, serveLog())
		}
		switch {
		case msg == "READY=1":
			ready = true
		case strings.HasPrefix(msg, "STATUS="):
			status = true
			t.Logf("status line: %s", msg)
			if strings.Contains(msg, "\n") || len(msg) == len("STATUS=") {
				t.Errorf("STATUS= is not one non-empty line: %q", msg)
			}
		case msg == "WATCHDOG=1":
			if ready {
				pingsAfterReady++
			}
		default:
			t.Errorf("unexpected notification %q", msg)
		}
	}

	// Hang the process: once the kernel reports it stopped and the queue is drained, nothing
	// can arrive; a read over ten ping periods shows that.
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitProcState(t, cmd.Process.Pid, 'T')
	for {
		if _, ok := sock.next(100 * time.Millisecond); !ok {
			break
		}
	}
	if msg, ok := sock.next(time.Second); ok {
		t.Errorf("a stopped process sent %q", msg)
	}
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if msg := sock.must(); msg != "WATCHDOG=1" && !strings.HasPrefix(msg, "STATUS=") {
		t.Errorf("after SIGCONT got %q, want pings again", msg)
	}

	// Shutdown: STOPPING=1, exit status 0.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for {
		msg, ok := sock.next(30 * time.Second)
		if !ok {
			t.Fatalf("no STOPPING=1 after SIGTERM; serve log:\n%s", serveLog())
		}
		if msg == "STOPPING=1" {
			break
		}
	}
	if err := <-exited; err != nil {
		t.Errorf("serve exited with %v after SIGTERM; serve log:\n%s", err, serveLog())
	}
}

// waitProcState polls /proc until the process is in state (for example 'T', stopped).
func waitProcState(t *testing.T, pid int, state byte) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		// The state follows the command name in parentheses: "pid (comm) S ...".
		if i := bytes.LastIndexByte(b, ')'); i > 0 && i+2 < len(b) && b[i+2] == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d did not reach state %c: %s", pid, state, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
