package sim

import "slices"

// Commands is the log of commands received (without "AT" stripping), oldest first.
func (s *Sim) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...)
}

// Stored lists what is in storage now, by store then index.
func (s *Sim) Stored() []Slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Slot
	names := slices.Clone(s.q.stores)
	for _, extra := range []string{s.opt.DeliverTo, "SR"} {
		if s.stores[extra] != nil && !slices.Contains(names, extra) {
			names = append(names, extra)
		}
	}
	for _, name := range names {
		for _, sl := range s.stores[name] {
			if sl != nil {
				out = append(out, *sl)
			}
		}
	}
	return out
}

// Pending is the number of messages held at the "SMSC" (storage full or unplugged).
func (s *Sim) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}
