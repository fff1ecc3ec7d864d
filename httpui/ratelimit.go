package httpui

import (
	"net/netip"
	"sync"
	"time"
)

// Sign-in throttling. Each key ("acct:<email>" or "addr:<ip>") counts failures inside a
// sliding window; once a key has had `free` failures, every further failure pushes its next
// allowed attempt out by 1 s, 2 s, 4 s ... capped at limitWindow (15 min). Attempts before
// that time are refused with 429 and Retry-After without checking the password. A success
// clears the account's key. Accounts get 3 free failures; an address gets 20, because a whole
// office usually signs in from one NAT address and must not be locked out by one person.
// Unknown emails are counted exactly like known ones, so the limiter reveals nothing.
const (
	limitWindow     = 15 * time.Minute
	limitFreeAcct   = 3
	limitFreeAddr   = 20
	limitMaxEntries = 10000
)

// limiter is safe for concurrent use.
type limiter struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*limitEntry
}

type limitEntry struct {
	failures int
	inflight int       // attempts reserved by begin and not yet ended
	noted    time.Time // the next of the last refusal reported by firstRefusal
	last     time.Time // last failure
	next     time.Time // no attempt before this
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, m: make(map[string]*limitEntry)}
}

// wait returns how long the caller must wait before trying any of keys (0 = go ahead).
func (l *limiter) wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var d time.Duration
	for _, k := range keys {
		if e, ok := l.m[k]; ok && e.next.After(now) {
			d = max(d, e.next.Sub(now))
		}
	}
	return d
}

// begin reserves an attempt against keys (free is the failures allowed per key, in the same
// order) and returns 0, or how long the caller must wait before trying. Attempts already in
// flight count as failures-to-be: once a key's free failures are spent (counting those in
// flight) only one attempt at a time may run, so firing many requests in parallel cannot
// slip past the delays before the first failures are recorded. After a 0, the caller must
// call end(keys...) once the attempt has been decided (fail or succeed first).
func (l *limiter) begin(keys []string, free []int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var d time.Duration
	for i, k := range keys {
		e, ok := l.m[k]
		switch {
		case !ok:
		case e.next.After(now):
			d = max(d, e.next.Sub(now))
		case e.inflight > 0 && l.live(e, now)+e.inflight >= free[i]:
			d = max(d, busyRetry)
		}
	}
	if d > 0 {
		return d
	}
	if len(l.m) >= limitMaxEntries {
		l.prune(now)
	}
	for _, k := range keys {
		e := l.m[k]
		if e == nil {
			e = &limitEntry{}
			l.m[k] = e
		}
		e.inflight++
	}
	return 0
}

// firstRefusal reports whether a refused attempt against keys is the first one refused during
// the current delay of any of them (so it is audited once per delay, not once per request: an
// anonymous client refused with 429 in a loop would otherwise write to the audit log at will).
func (l *limiter) firstRefusal(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := false
	for _, k := range keys {
		if e := l.m[k]; e != nil && !e.next.IsZero() && !e.noted.Equal(e.next) {
			e.noted, first = e.next, true
		}
	}
	return first
}

// busyRetry is the Retry-After for an attempt refused because another is still being checked.
const busyRetry = time.Second

// live is e's failure count that still counts (0 once the window has passed); mu held.
func (l *limiter) live(e *limitEntry, now time.Time) int {
	if now.Sub(e.last) > limitWindow {
		return 0
	}
	return e.failures
}

// end releases attempts reserved by begin.
func (l *limiter) end(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if e := l.m[k]; e != nil && e.inflight > 0 {
			e.inflight--
		}
	}
}

// fail records one failed attempt against each key (free is the failures allowed per key, in
// the same order) and returns the delay now imposed.
func (l *limiter) fail(keys []string, free []int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) >= limitMaxEntries {
		l.prune(now)
	}
	var d time.Duration
	for i, k := range keys {
		e := l.m[k]
		if e == nil || now.Sub(e.last) > limitWindow {
			e = &limitEntry{inflight: inflightOf(e)}
			l.m[k] = e
		}
		e.failures++
		e.last = now
		if over := e.failures - free[i]; over > 0 {
			delay := limitWindow
			if over <= 20 {
				delay = min(time.Second<<(over-1), limitWindow)
			}
			e.next = now.Add(delay)
			d = max(d, delay)
		}
	}
	return d
}

func inflightOf(e *limitEntry) int {
	if e == nil {
		return 0
	}
	return e.inflight
}

// succeed clears keys' failures (attempts in flight stay reserved).
func (l *limiter) succeed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if e := l.m[k]; e != nil && e.inflight > 0 {
			l.m[k] = &limitEntry{inflight: e.inflight}
			continue
		}
		delete(l.m, k)
	}
}

// prune drops entries that no longer matter; called with mu held.
func (l *limiter) prune(now time.Time) {
	for k, e := range l.m {
		if now.Sub(e.last) > limitWindow && !e.next.After(now) && e.inflight == 0 {
			delete(l.m, k)
		}
	}
	if len(l.m) >= limitMaxEntries { // under attack from many addresses: keep memory bounded
		for k := range l.m {
			delete(l.m, k)
			if len(l.m) < limitMaxEntries/2 {
				break
			}
		}
	}
}

// addrKey is the limiter key of a client address. An IPv6 client is counted by its /64, the
// block one machine or home network is given, so rotating through its own addresses does not
// reset the per-address limit; IPv4 (and IPv4-mapped) addresses count one by one.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return "addr:" + addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + ip.String()
}
