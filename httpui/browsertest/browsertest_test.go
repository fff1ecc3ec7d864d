package browsertest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestArtefactDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv("FIRMLINE_ARTIFACTS", root)
	if d := ArtefactDir(t, ""); d != root {
		t.Errorf(`ArtefactDir(t, "") = %q, want %q`, d, root)
	}
	want := filepath.Join(root, "root")
	if d := ArtefactDir(t, "root"); d != want {
		t.Errorf(`ArtefactDir(t, "root") = %q, want %q`, d, want)
	}
	if st, err := os.Stat(want); err != nil || !st.IsDir() {
		t.Errorf("%s was not created: %v", want, err)
	}
}

func TestChromiumPrefersEnv(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "my-chromium")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FIRMLINE_CHROMIUM", exe)
	if p := Chromium(t); p != exe {
		t.Errorf("Chromium = %q, want $FIRMLINE_CHROMIUM %q", p, exe)
	}
}
