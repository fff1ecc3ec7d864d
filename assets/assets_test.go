package assets

import (
	"html/template"
	"strings"
	"testing"
)

func TestStaticHashedNames(t *testing.T) {
	st, err := NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app.css", "app.js"} {
		u := st.URL(name)
		if !strings.HasPrefix(u, "/static/app.") || u == "/static/"+name {
			t.Fatalf("URL(%q) = %q, want a hashed name", name, u)
		}
		f, ok := st.File(strings.TrimPrefix(u, "/static/"))
		if !ok || f.Name != name || len(f.Body) == 0 {
			t.Fatalf("File(%q) = %+v, %v", u, f, ok)
		}
	}
	if _, ok := st.File("app.css"); ok {
		t.Fatal("an unhashed name must not be served")
	}
}

func TestTemplatesParse(t *testing.T) {
	stub := func(...any) any { return "" }
	funcs := template.FuncMap{}
	for _, n := range []string{"static", "ago", "rfc3339", "longTime", "networkTime", "modemClass",
		"modemProblem", "actionLabel", "statusClass", "inc", "channelNames"} {
		funcs[n] = stub
	}
	funcs["stale"] = func(...any) bool { return false }
	funcs["roleAtLeast"] = func(...any) bool { return false }
	funcs["bars"] = func(...any) []bool { return nil }
	pages, err := Templates(funcs)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"login", "inbox", "message", "team", "account", "settings", "confirm", "error", "setup", "invite", "mfa", "audit", "report"} {
		if pages[want] == nil || pages[want].Lookup("layout") == nil || pages[want].Lookup("content") == nil {
			t.Errorf("page %q missing or incomplete", want)
		}
	}
}

// TestNoInlineScript guards the CSP ('self' only): no inline script, handler or style.
func TestNoInlineScript(t *testing.T) {
	names, err := PageNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range append(names, "layout") {
		b, err := FS.ReadFile("templates/" + n + ".html")
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ToLower(string(b))
		for _, bad := range []string{"<script>", " onclick=", " onload=", " onsubmit=", " style=", "<style", "javascript:"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s.html contains %q (CSP forbids inline script and style)", n, bad)
			}
		}
	}
}
