package packaging

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"testing"
)

// TestReleaseBinaries inspects the binaries of a release build: statically linked (no ELF
// interpreter, no shared libraries), the right machine, stripped, and free of build paths.
// check.sh runs it with FIRMLINE_DIST set to the directory build.sh wrote; without it there
// is nothing to inspect.
func TestReleaseBinaries(t *testing.T) {
	dist := os.Getenv("FIRMLINE_DIST")
	if dist == "" {
		t.Skip("FIRMLINE_DIST not set; packaging/check.sh sets it after building")
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	for _, tc := range []struct {
		file    string
		machine elf.Machine
		class   elf.Class
	}{
		{"firmline-linux-amd64", elf.EM_X86_64, elf.ELFCLASS64},
		{"firmline-linux-arm64", elf.EM_AARCH64, elf.ELFCLASS64},
		{"firmline-linux-armv7", elf.EM_ARM, elf.ELFCLASS32},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dist, tc.file)
			f, err := elf.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Machine != tc.machine || f.Class != tc.class {
				t.Errorf("machine %v %v, want %v %v", f.Machine, f.Class, tc.machine, tc.class)
			}
			if f.Type != elf.ET_EXEC {
				t.Errorf("ELF type %v, want ET_EXEC (a static, non-PIE executable)", f.Type)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
					t.Errorf("has a %v program header: dynamically linked", p.Type)
				}
			}
			if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
				t.Errorf("needs shared libraries %v", libs)
			}
			if f.Section(".symtab") != nil {
				t.Error("has a symbol table: not stripped (-ldflags -s)")
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{repo, home} {
				if leak != "" && leak != "/" && bytes.Contains(data, []byte(leak+"/")) {
					t.Errorf("contains the build path %s (-trimpath missing)", leak)
				}
			}
		})
	}
}
