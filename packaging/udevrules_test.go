// Package packaging holds no Go code of its own: its tests check the files that ship in the
// Debian package (udev rules, the built binaries).
package packaging

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
)

// A udev rules file, parsed and evaluated by a small model of udev (udev(7)): enough of the
// match and assignment semantics to check what our rules do for a given device tree. It is
// not udev; `udevadm verify` (systemd >= 254) is run by check.sh where available.

type ruleToken struct {
	key, attr, op, value string
}

type rule struct {
	line   int
	tokens []ruleToken
}

// keyOps lists the udev keys our rules may use and the operators each accepts.
var keyOps = map[string]string{
	"ACTION": "== !=", "DEVPATH": "== !=", "KERNEL": "== !=", "SUBSYSTEM": "== !=",
	"DRIVER": "== !=", "KERNELS": "== !=", "SUBSYSTEMS": "== !=", "DRIVERS": "== !=",
	"ATTR": "== != =", "ATTRS": "== !=", "ENV": "== != = +=", "TAG": "== != = += -=",
	"SYMLINK": "== != = += -= :=", "OWNER": "= :=", "GROUP": "= :=", "MODE": "= :=",
	"RUN": "= += :=", "LABEL": "=", "GOTO": "=", "IMPORT": "== !=", "OPTIONS": "= +=",
	"TEST": "== !=", "PROGRAM": "== !=", "RESULT": "== !=",
}

var tokenRE = regexp.MustCompile(`^([A-Z]+)(?:\{([^}]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"$`)

// parseRules checks each line's syntax: comma-separated `KEY[{attr}] op "value"`, known keys,
// operators that key accepts, and GOTO targets that exist.
func parseRules(text string) ([]rule, error) {
	var rules []rule
	labels := map[string]bool{}
	var gotos []ruleToken
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			return nil, fmt.Errorf("line %d: continuation lines are not used here", i+1)
		}
		r := rule{line: i + 1}
		for _, part := range splitTokens(line) {
			m := tokenRE.FindStringSubmatch(part)
			if m == nil {
				return nil, fmt.Errorf("line %d: %q is not KEY op \"value\"", i+1, part)
			}
			tok := ruleToken{key: m[1], attr: m[2], op: m[3], value: m[4]}
			ops, ok := keyOps[tok.key]
			if !ok {
				return nil, fmt.Errorf("line %d: unknown key %s", i+1, tok.key)
			}
			if !strings.Contains(" "+ops+" ", " "+tok.op+" ") {
				return nil, fmt.Errorf("line %d: %s does not take %s", i+1, tok.key, tok.op)
			}
			needsAttr := tok.key == "ATTR" || tok.key == "ATTRS" || tok.key == "ENV" || tok.key == "IMPORT"
			if needsAttr != (tok.attr != "") {
				return nil, fmt.Errorf("line %d: %s{...} misuse", i+1, tok.key)
			}
			switch tok.key {
			case "LABEL":
				labels[tok.value] = true
			case "GOTO":
				gotos = append(gotos, tok)
			}
			r.tokens = append(r.tokens, tok)
		}
		rules = append(rules, r)
	}
	for _, g := range gotos {
		if !labels[g.value] {
			return nil, fmt.Errorf("GOTO %q has no LABEL", g.value)
		}
	}
	return rules, nil
}

// splitTokens splits on commas outside double quotes.
func splitTokens(line string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
			cur.WriteRune(c)
		case c == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// sysDevice is one node of a sysfs device chain, the device itself first.
type sysDevice struct {
	kernel, subsystem string
	attrs             map[string]string
}

// udevResult is what the rules did to the event's device.
type udevResult struct {
	env      map[string]string
	symlinks []string
	group    string
	mode     string
}

// globMatch is udev's pattern match: shell glob with '|' alternatives.
func globMatch(pattern, s string) bool {
	for _, alt := range strings.Split(pattern, "|") {
		if ok, _ := path.Match(alt, s); ok {
			return true
		}
	}
	return false
}

func matchOp(op, pattern, s string) bool {
	if op == "!=" {
		return !globMatch(pattern, s)
	}
	return globMatch(pattern, s)
}

var substRE = regexp.MustCompile(`\$(attr|env)\{([^}]+)\}|%b|%k`)

// evalRules runs rules against one event, following udev's order: rules in sequence, all
// ATTRS/SUBSYSTEMS keys of one rule matched on the same device of the chain, GOTO skipping
// forward to its LABEL, assignments substituted when made.
func evalRules(rules []rule, action string, chain []sysDevice, env map[string]string) udevResult {
	res := udevResult{env: map[string]string{}}
	for k, v := range env {
		res.env[k] = v
	}
	dev := chain[0]
	skipTo := ""
	for _, r := range rules {
		if skipTo != "" {
			if len(r.tokens) == 1 && r.tokens[0].key == "LABEL" && r.tokens[0].value == skipTo {
				skipTo = ""
			}
			continue
		}
		parent, ok := matchRule(r, action, chain, res.env)
		if !ok {
			continue
		}
		subst := func(v string) string {
			return substRE.ReplaceAllStringFunc(v, func(m string) string {
				switch {
				case m == "%b":
					return parent.kernel
				case m == "%k":
					return dev.kernel
				case strings.HasPrefix(m, "$env{"):
					return res.env[m[5:len(m)-1]]
				default:
					name := m[6 : len(m)-1]
					if v, ok := dev.attrs[name]; ok {
						return v
					}
					return parent.attrs[name]
				}
			})
		}
		for _, t := range r.tokens {
			switch {
			case t.key == "ENV" && t.op == "=":
				res.env[t.attr] = subst(t.value)
			case t.key == "SYMLINK" && t.op == "+=":
				res.symlinks = append(res.symlinks, strings.Fields(subst(t.value))...)
			case t.key == "GROUP":
				res.group = subst(t.value)
			case t.key == "MODE":
				res.mode = subst(t.value)
			case t.key == "GOTO":
				skipTo = t.value
			}
		}
	}
	return res
}

// matchRule reports whether every match key of r holds, and which device of the chain the
// parent keys matched (the device itself when the rule has none).
func matchRule(r rule, action string, chain []sysDevice, env map[string]string) (sysDevice, bool) {
	dev := chain[0]
	var parentKeys []ruleToken
	for _, t := range r.tokens {
		if t.op != "==" && t.op != "!=" {
			continue
		}
		var ok bool
		switch t.key {
		case "ACTION":
			ok = matchOp(t.op, t.value, action)
		case "SUBSYSTEM":
			ok = matchOp(t.op, t.value, dev.subsystem)
		case "KERNEL":
			ok = matchOp(t.op, t.value, dev.kernel)
		case "ENV":
			ok = matchOp(t.op, t.value, env[t.attr])
		case "ATTR":
			ok = matchOp(t.op, t.value, dev.attrs[t.attr])
		case "SUBSYSTEMS", "ATTRS", "KERNELS":
			parentKeys = append(parentKeys, t)
			continue
		default:
			panic("udev model does not evaluate " + t.key)
		}
		if !ok {
			return dev, false
		}
	}
	if len(parentKeys) == 0 {
		return dev, true
	}
	for _, d := range chain {
		all := true
		for _, t := range parentKeys {
			var v string
			var present bool
			switch t.key {
			case "SUBSYSTEMS":
				v, present = d.subsystem, true
			case "KERNELS":
				v, present = d.kernel, true
			case "ATTRS":
				v, present = d.attrs[t.attr]
			}
			if !present || !matchOp(t.op, t.value, v) {
				all = false
				break
			}
		}
		if all {
			return d, true
		}
	}
	return dev, false
}

func loadRules(t *testing.T) []rule {
	t.Helper()
	text, err := os.ReadFile("60-firmline-modem.rules")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := parseRules(string(text))
	if err != nil {
		t.Fatalf("60-firmline-modem.rules: %v", err)
	}
	return rules
}
